//! `validate`: load every file as a run would, one line per file.

use std::path::PathBuf;

use incident_replay::scenario::{self, Overrides};

use crate::input::read;

#[derive(clap::Args)]
pub struct ValidateArgs {
    files: Vec<PathBuf>,
}

pub fn validate(args: ValidateArgs) -> Result<(), String> {
    let files = args.files;
    if files.is_empty() {
        return Err("validate: name at least one scenario file".into());
    }
    let mut failed = 0;
    for f in &files {
        match read(f).and_then(|(name, text)| {
            scenario::load(&name, &text, &Overrides::new(), 1).map(|_| ()).map_err(|e| e.to_string())
        }) {
            Ok(()) => println!("ok: {}", f.display()),
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(format!("{failed} of {} files did not validate", files.len()));
    }
    Ok(())
}
