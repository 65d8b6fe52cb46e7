//! Label selectors: parse, print, match. (Stub: being replaced by the full implementation.)
