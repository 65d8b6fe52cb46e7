//! Lexer and recursive-descent parser for label selector strings.
//!
//! Grammar (whitespace — space, tab, CR, LF — may appear between any two tokens):
//!
//! ```text
//! selector    := "" | requirement ("," requirement)*
//! requirement := "!" KEY                       (does not exist)
//!              | KEY                           (exists)
//!              | KEY ("=" | "==" | "!=" | ">" | "<") VALUE?
//!              | KEY ("in" | "notin") "(" VALUE? ("," VALUE?)* ")"
//! ```
//!
//! An identifier (KEY or VALUE) is any run of characters other than whitespace and the symbols
//! `! = > < ( ) ,`. The words `in` and `notin` are operators only where an operator is expected,
//! so they remain usable as keys and values. A missing VALUE is the empty string, so `a=`,
//! `a in ()` and `a in (x,)` all involve the empty value, as upstream does.

use super::requirement::{check_key, check_operands, check_value};
use super::{Operator, Requirement, SelectorParseError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a str),
    Not,
    Eq,
    DoubleEq,
    NotEq,
    Gt,
    Lt,
    Open,
    Close,
    Comma,
    End,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    tok: Tok<'a>,
    pos: usize,
}

impl Token<'_> {
    fn describe(&self) -> String {
        let sym = match self.tok {
            Tok::Ident(s) => return format!("'{s}'"),
            Tok::End => return "end of string".to_owned(),
            Tok::Not => "!",
            Tok::Eq => "=",
            Tok::DoubleEq => "==",
            Tok::NotEq => "!=",
            Tok::Gt => ">",
            Tok::Lt => "<",
            Tok::Open => "(",
            Tok::Close => ")",
            Tok::Comma => ",",
        };
        format!("'{sym}'")
    }
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_symbol(b: u8) -> bool {
    matches!(b, b'!' | b'=' | b'>' | b'<' | b'(' | b')' | b',')
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn next_token(&mut self) -> Token<'a> {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() && is_whitespace(bytes[self.pos]) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&b) = bytes.get(start) else {
            return Token {
                tok: Tok::End,
                pos: start,
            };
        };
        let followed_by_eq = bytes.get(start + 1) == Some(&b'=');
        let (tok, len) = match b {
            b'!' if followed_by_eq => (Tok::NotEq, 2),
            b'!' => (Tok::Not, 1),
            b'=' if followed_by_eq => (Tok::DoubleEq, 2),
            b'=' => (Tok::Eq, 1),
            b'>' => (Tok::Gt, 1),
            b'<' => (Tok::Lt, 1),
            b'(' => (Tok::Open, 1),
            b')' => (Tok::Close, 1),
            b',' => (Tok::Comma, 1),
            _ => {
                let len = bytes[start..]
                    .iter()
                    .position(|&c| is_whitespace(c) || is_symbol(c))
                    .unwrap_or(bytes.len() - start);
                // Both ends are ASCII boundaries (or the end of input), so slicing is safe.
                (Tok::Ident(&self.src[start..start + len]), len)
            }
        };
        self.pos += len;
        Token { tok, pos: start }
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    peeked: Option<Token<'a>>,
}

fn syntax(t: Token<'_>, expected: &'static str) -> SelectorParseError {
    SelectorParseError::Syntax {
        found: t.describe(),
        expected,
        position: t.pos,
    }
}

fn at(position: usize) -> impl FnOnce(super::RequirementError) -> SelectorParseError {
    move |source| SelectorParseError::Requirement { position, source }
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> Token<'a> {
        self.peeked
            .take()
            .unwrap_or_else(|| self.lexer.next_token())
    }

    fn peek(&mut self) -> Token<'a> {
        let t = self.next();
        self.peeked = Some(t);
        t
    }

    fn selector(&mut self) -> Result<Vec<Requirement>, SelectorParseError> {
        let mut reqs = Vec::new();
        let first = self.peek();
        match first.tok {
            Tok::End => return Ok(reqs),
            Tok::Ident(_) | Tok::Not => {}
            _ => return Err(syntax(first, "'!', identifier or end of string")),
        }
        loop {
            reqs.push(self.requirement()?);
            let t = self.next();
            match t.tok {
                Tok::End => return Ok(reqs),
                Tok::Comma => {
                    let t2 = self.peek();
                    if !matches!(t2.tok, Tok::Ident(_) | Tok::Not) {
                        return Err(syntax(t2, "identifier after ','"));
                    }
                }
                _ => return Err(syntax(t, "',' or end of string")),
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, SelectorParseError> {
        let mut t = self.next();
        let negated = t.tok == Tok::Not;
        if negated {
            t = self.next();
        }
        let Tok::Ident(key) = t.tok else {
            let expected = if negated {
                "identifier after '!'"
            } else {
                "identifier"
            };
            return Err(syntax(t, expected));
        };
        check_key(key).map_err(at(t.pos))?;
        let after = self.peek();
        if matches!(after.tok, Tok::End | Tok::Comma) {
            let op = if negated {
                Operator::DoesNotExist
            } else {
                Operator::Exists
            };
            return Ok(Requirement::new_unchecked(key.to_owned(), op, Vec::new()));
        }
        if negated {
            return Err(syntax(after, "',' or end of string"));
        }
        let op_tok = self.next();
        let op = match op_tok.tok {
            Tok::Ident("in") => Operator::In,
            Tok::Ident("notin") => Operator::NotIn,
            Tok::Eq => Operator::Equals,
            Tok::DoubleEq => Operator::DoubleEquals,
            Tok::NotEq => Operator::NotEquals,
            Tok::Gt => Operator::GreaterThan,
            Tok::Lt => Operator::LessThan,
            _ => return Err(syntax(op_tok, "'=', '==', '!=', 'in', 'notin', '>' or '<'")),
        };
        let (values, pos) = if matches!(op, Operator::In | Operator::NotIn) {
            self.value_set(key)?
        } else {
            self.exact_value(key)?
        };
        check_operands(key, op, &values).map_err(at(pos))?;
        Ok(Requirement::new_unchecked(key.to_owned(), op, values))
    }

    /// A single, possibly empty, value. Returns it with its position.
    fn exact_value(&mut self, key: &str) -> Result<(Vec<String>, usize), SelectorParseError> {
        let t = self.peek();
        match t.tok {
            Tok::End | Tok::Comma => Ok((vec![String::new()], t.pos)),
            Tok::Ident(v) => {
                self.next();
                check_value(key, v).map_err(at(t.pos))?;
                Ok((vec![v.to_owned()], t.pos))
            }
            _ => Err(syntax(t, "identifier")),
        }
    }

    /// `( v1, v2, ... )` where any value may be empty. Returns values and the `(` position.
    fn value_set(&mut self, key: &str) -> Result<(Vec<String>, usize), SelectorParseError> {
        let open = self.next();
        if open.tok != Tok::Open {
            return Err(syntax(open, "'('"));
        }
        let mut values = Vec::new();
        loop {
            let t = self.next();
            match t.tok {
                Tok::Ident(v) => {
                    check_value(key, v).map_err(at(t.pos))?;
                    values.push(v.to_owned());
                    let sep = self.next();
                    match sep.tok {
                        Tok::Comma => {}
                        Tok::Close => break,
                        _ => return Err(syntax(sep, "',' or ')'")),
                    }
                }
                Tok::Comma => values.push(String::new()),
                Tok::Close => {
                    values.push(String::new());
                    break;
                }
                _ => return Err(syntax(t, "identifier, ',' or ')'")),
            }
        }
        Ok((values, open.pos))
    }
}

/// Parses `input` into requirements in input order.
pub(super) fn parse(input: &str) -> Result<Vec<Requirement>, SelectorParseError> {
    let mut parser = Parser {
        lexer: Lexer { src: input, pos: 0 },
        peeked: None,
    };
    parser.selector()
}
