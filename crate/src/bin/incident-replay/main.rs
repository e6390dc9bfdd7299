//! The command-line face: run, sweep, validate, schema, bench. The only code that
//! reads argv, files and the clock, and writes to stdout. One module per
//! subcommand; `input` reads files, `--set` and `--seed`.

mod bench;
mod input;
mod run;
mod seeds;
mod sweep;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use incident_replay::scenario::schema;

#[derive(Parser)]
#[command(name = "incident-replay", version, about = "Replay distributed-systems outages deterministically.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario and print its outcome.
    Run(run::RunArgs),
    /// Run a grid of parameter values × seeds; one row per run.
    Sweep(sweep::SweepArgs),
    /// Check scenario files; prints one line per file.
    Validate(validate::ValidateArgs),
    /// Print the JSON Schema of the scenario format.
    Schema,
    /// Measure events per second on a generated large scenario.
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    match run_cli(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run_cli(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Validate(args) => validate::validate(args),
        Command::Schema => {
            print!("{}", schema::schema_json());
            Ok(())
        }
        Command::Bench(args) => bench::bench(args),
    }
}
