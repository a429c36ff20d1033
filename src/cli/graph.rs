//! `kite graph`: a picture of stacks, as SVG or DOT.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};

use crate::app::App;
use crate::env::Env;
use crate::graph::Graph;

use super::exit::Outcome;
use super::{Io, build_and_synthesize};

#[derive(Debug, Args)]
pub(super) struct GraphArgs {
    /// Stacks to draw, each in a box of its own.
    stacks: Vec<String>,
    /// `svg`: laid out and drawn by kite; `dot`: Graphviz's language (`dot
    /// -Tpng`) [default: dot for an --out file ending in .dot or .gv, else
    /// svg]
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the picture to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Dot,
    Svg,
}

impl Format {
    /// The format a file name asks for.
    fn of(out: Option<&Path>) -> Format {
        let dot = out
            .and_then(Path::extension)
            .is_some_and(|e| e.eq_ignore_ascii_case("dot") || e.eq_ignore_ascii_case("gv"));
        if dot || !cfg!(feature = "graph-svg") {
            Format::Dot
        } else {
            Format::Svg
        }
    }
}

/// Synthesizes the named stacks (all when none is named) in memory and
/// draws them; nothing is drawn unless every stack synthesizes.
pub(super) fn run(
    app: &App,
    env: &Env,
    args: GraphArgs,
    cwd: &Path,
    io: &mut Io,
) -> Result<Outcome> {
    let format = args
        .format
        .unwrap_or_else(|| Format::of(args.out.as_deref()));
    let defs = app.select(&args.stacks)?;
    let mut stacks = Vec::with_capacity(defs.len());
    let mut failures = Vec::new();
    for built in build_and_synthesize(app, &defs, env, io) {
        match built {
            Ok(stack) => stacks.push(stack),
            Err(e) => failures.push(e.message),
        }
    }
    if !failures.is_empty() {
        bail!("{}\nNo picture was drawn.", failures.join("\n"));
    }
    let graph = Graph::of(&stacks);
    let picture = match format {
        Format::Dot => graph.to_dot(),
        Format::Svg => svg(&graph)?,
    };
    match args.out {
        None => io.stdout.write_all(picture.as_bytes())?,
        Some(out) => {
            let path = cwd.join(&out);
            if let Err(e) = std::fs::write(&path, &picture) {
                bail!(
                    "cannot write the picture to {}: {e}. Check that its directory exists and is writable, or pass another --out",
                    path.display()
                );
            }
            writeln!(
                io.stdout,
                "{} blocks, {} edges: {}",
                graph.nodes().len(),
                graph.edges().len(),
                out.display()
            )?;
        }
    }
    Ok(Outcome::Success)
}

#[cfg(feature = "graph-svg")]
fn svg(graph: &Graph) -> Result<String> {
    Ok(graph.to_svg())
}

#[cfg(not(feature = "graph-svg"))]
fn svg(_graph: &Graph) -> Result<String> {
    bail!(
        "this kite was built without the `graph-svg` feature, which draws SVG: pass --format dot and draw it with Graphviz (`dot -Tsvg`), or build kite with the `graph-svg` feature (`cargo install --locked --path . --features graph-svg`)"
    )
}
