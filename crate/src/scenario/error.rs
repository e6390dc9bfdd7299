//! The one error type for anything a scenario file, an override, a URL or the
//! panel can get wrong. It always names the file, the field path and the reason,
//! in one line: `demo.json: timeline[3].at: not after timeline[2].at (90s)`.
//!
//! Every part may quote text from the file, so control characters are escaped
//! when the error is made: a name holding a newline or an ANSI escape cannot
//! forge a second line (`ok: ...`) or clear the terminal.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    /// Field path such as `timeline[3].at`; empty for whole-document errors.
    pub path: String,
    pub reason: String,
    /// 1-based position for syntax errors.
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl ScenarioError {
    pub fn new(file: &str, path: impl Into<String>, reason: impl Into<String>) -> ScenarioError {
        ScenarioError { file: quote(file), path: quote(&path.into()), reason: quote(&reason.into()), line: None, column: None }
    }

    /// From serde: keeps line and column for syntax errors.
    pub fn shape(file: &str, path: String, e: serde_json::Error) -> ScenarioError {
        let mut err = ScenarioError::new(file, if path == "." { String::new() } else { path }, strip_position(&e));
        // Positions help with broken syntax; for a wrong value the path says more.
        if e.line() > 0 && matches!(e.classify(), serde_json::error::Category::Syntax | serde_json::error::Category::Eof) {
            err.line = Some(e.line() as u32);
            err.column = Some(e.column() as u32);
        }
        err
    }
}

/// `text` with control characters (and the bidirectional overrides that reorder
/// what a terminal shows) written as escapes, so it stays on one visible line.
pub fn quote(text: &str) -> String {
    let risky = |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}');
    if !text.chars().any(risky) {
        return text.to_string();
    }
    text.chars().map(|c| if risky(c) { c.escape_default().collect::<String>() } else { c.to_string() }).collect()
}

/// A number as a person reads it: `1e308`, not 309 digits; `0.5`, not `5e-1`.
pub fn number(v: f64) -> String {
    let magnitude = v.abs();
    if v.is_finite() && magnitude != 0.0 && !(1e-6..1e15).contains(&magnitude) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// serde_json appends " at line L column C"; we print position ourselves.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_a_file_cannot_forge_lines() {
        let e = ScenarioError::new("x.json", "nodes[0].name", "no node named `a\nok: all good\u{1b}[2J`");
        let text = e.to_string();
        assert!(!text.contains('\n') && !text.contains('\u{1b}'), "{text}");
        assert!(text.contains("a\\nok: all good\\u{1b}[2J"), "{text}");
    }

    #[test]
    fn huge_and_tiny_numbers_are_short() {
        assert_eq!(number(1e308), "1e308");
        assert_eq!(number(2.5e-9), "2.5e-9");
        assert_eq!(number(30.0), "30");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(f64::INFINITY), "inf");
    }
}
