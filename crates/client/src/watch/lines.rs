//! Splitting a byte stream into `\n`-terminated lines as it arrives, keeping only the partial
//! line, with a cap on the length of one line.

/// What [`LineSplitter::push`] hands to its callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// A complete line, without its `\n` (and without a trailing `\r`).
    Full(&'a [u8]),
    /// A line longer than the cap was skipped.
    TooLong,
}

/// Splits chunks into lines. Lines that lie within one chunk are handed out without copying;
/// only a line cut by a chunk boundary is buffered.
#[derive(Debug)]
pub(crate) struct LineSplitter {
    partial: Vec<u8>,
    max: usize,
    /// Inside a line that went over the cap: drop bytes up to the next `\n`.
    skipping: bool,
    /// Hand out blank lines too (logs), instead of skipping them (watch events).
    keep_blank: bool,
}

impl LineSplitter {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            partial: Vec::new(),
            max,
            skipping: false,
            keep_blank: false,
        }
    }

    /// A splitter that also hands out blank lines.
    pub(crate) fn keeping_blank(max: usize) -> Self {
        Self {
            keep_blank: true,
            ..Self::new(max)
        }
    }

    /// Bytes held for the partial line.
    #[cfg(test)]
    pub(crate) fn buffered(&self) -> usize {
        self.partial.len()
    }

    /// Feeds one chunk, calling `f` for every line it completes.
    pub(crate) fn push(&mut self, chunk: &[u8], mut f: impl FnMut(Line<'_>)) {
        let mut rest = chunk;
        while let Some(pos) = rest.iter().position(|&b| b == b'\n') {
            let (head, tail) = rest.split_at(pos);
            rest = &tail[1..];
            if self.skipping {
                self.skipping = false;
                continue;
            }
            if self.partial.is_empty() {
                if head.len() > self.max {
                    f(Line::TooLong);
                } else {
                    emit(head, self.keep_blank, &mut f);
                }
            } else if self.partial.len() + head.len() > self.max {
                self.partial.clear();
                f(Line::TooLong);
            } else {
                self.partial.extend_from_slice(head);
                let line = std::mem::take(&mut self.partial);
                emit(&line, self.keep_blank, &mut f);
                self.partial = line;
                self.partial.clear();
                if self.partial.capacity() > 64 * 1024 {
                    // Do not keep a large buffer for the rest of a long stream.
                    self.partial.shrink_to(64 * 1024);
                }
            }
        }
        if self.skipping || rest.is_empty() {
            return;
        }
        if self.partial.len() + rest.len() > self.max {
            self.partial = Vec::new();
            self.skipping = true;
            f(Line::TooLong);
        } else {
            self.partial.extend_from_slice(rest);
        }
    }

    /// The end of the stream: a last line without `\n`, if any.
    pub(crate) fn finish(&mut self, f: impl FnMut(Line<'_>)) {
        let line = std::mem::take(&mut self.partial);
        if !self.skipping && !line.is_empty() {
            let mut f = f;
            emit(&line, self.keep_blank, &mut f);
        }
        self.skipping = false;
    }
}

/// Hands out a line (unless it is blank and blanks are skipped); drops a trailing `\r`.
fn emit(line: &[u8], keep_blank: bool, f: &mut impl FnMut(Line<'_>)) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if keep_blank || !line.iter().all(u8::is_ascii_whitespace) {
        f(Line::Full(line));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chunks: &[&str], max: usize) -> Vec<String> {
        let mut s = LineSplitter::new(max);
        let mut out = Vec::new();
        let mut take = |l: Line<'_>| match l {
            Line::Full(b) => out.push(String::from_utf8_lossy(b).into_owned()),
            Line::TooLong => out.push("<too long>".into()),
        };
        for c in chunks {
            s.push(c.as_bytes(), &mut take);
        }
        s.finish(&mut take);
        out
    }

    #[test]
    fn lines_across_chunks() {
        assert_eq!(run(&["a\nb", "c\n", "\n", "d"], 100), ["a", "bc", "d"]);
        assert_eq!(run(&["a\r\n", "b\r", "\n"], 100), ["a", "b"]);
    }

    #[test]
    fn long_lines_are_skipped_and_the_stream_goes_on() {
        assert_eq!(run(&["12345\nab\n"], 4), ["<too long>", "ab"]);
        assert_eq!(run(&["12", "345", "67\nab\n"], 4), ["<too long>", "ab"]);
        assert_eq!(run(&["12", "3", "4", "5\nab"], 4), ["<too long>", "ab"]);
        assert_eq!(run(&["1234\n"], 4), ["1234"]);
    }

    #[test]
    fn the_buffer_holds_only_the_partial_line() {
        let mut s = LineSplitter::new(1 << 20);
        let mut n = 0;
        for _ in 0..10_000 {
            s.push(b"{\"type\":\"ADDED\"}\n{\"type\"", |_| n += 1);
            assert!(s.buffered() <= 8);
            s.push(b":\"MODIFIED\"}\n", |_| n += 1);
            assert_eq!(s.buffered(), 0);
        }
        assert_eq!(n, 20_000);
    }
}
