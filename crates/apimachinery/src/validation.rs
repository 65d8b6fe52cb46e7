//! Name and label validation. (Stub: being replaced by the full implementation.)
