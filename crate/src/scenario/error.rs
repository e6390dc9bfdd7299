//! The one error type for anything a scenario file, an override, a URL or the
//! panel can get wrong. It always names the file, the field path and the reason,
//! in one line: `demo.json: timeline[3].at: not after timeline[2].at (90s)`.

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
        ScenarioError { file: file.to_string(), path: path.into(), reason: reason.into(), line: None, column: None }
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
