//! What the subcommands read: scenario files (bounded, regular files only),
//! `--set NAME=VALUE` overrides and `--seed`.

use std::path::Path;

use incident_replay::scenario::params::parse_set;
use incident_replay::scenario::{self, Overrides};

/// Read a scenario file: only a regular file (a FIFO would block, `/dev/zero`
/// never ends), refused by its size before reading, and read through a cap in
/// case it grows meanwhile. Returns (file name for messages, text).
pub fn read(path: &Path) -> Result<(String, String), String> {
    use std::io::Read;
    let shown = scenario::error::quote(&path.display().to_string());
    let name = path.file_name().map_or_else(|| shown.clone(), |n| scenario::error::quote(&n.to_string_lossy()));
    let cannot = |e: std::io::Error| format!("{shown}: cannot read: {e}");
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(format!("{shown}: cannot read: not a regular file"));
    }
    let max = scenario::TEXT_BYTES_MAX as u64;
    if meta.len() > max {
        return Err(format!("{name}: file is larger than {max} bytes"));
    }
    let mut text = String::new();
    std::fs::File::open(path).map_err(cannot)?.take(max + 1).read_to_string(&mut text).map_err(cannot)?;
    if text.len() as u64 > max {
        return Err(format!("{name}: file is larger than {max} bytes"));
    }
    Ok((name, text))
}

pub fn overrides(sets: &[String]) -> Result<Overrides, String> {
    let mut o = Overrides::new();
    for s in sets {
        let (k, v) = parse_set(s)?;
        o.insert(k, v);
    }
    Ok(o)
}

pub fn seed_of(text: &str) -> Result<u64, String> {
    if text == "random" {
        let mut bytes = [0u8; 8];
        getrandom::getrandom(&mut bytes).map_err(|e| format!("--seed random: {e}"))?;
        let seed = u64::from_le_bytes(bytes) >> 11; // stays exact as a JS number
        eprintln!("seed: {seed}");
        return Ok(seed);
    }
    text.parse().map_err(|_| format!("--seed {text}: expected a whole number or `random`"))
}
