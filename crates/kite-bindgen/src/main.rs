//! kite-bindgen: typed Rust bindings for every resource and data source of
//! a Terraform provider, from its `terraform providers schema -json` file
//! and a small hand-kept overlay. kite's `cdktf get`.

mod bundle;
mod emit;
mod examples;
mod model;
mod names;
mod overlay;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use serde::Deserialize;

use crate::emit::Target;
use crate::overlay::Overlay;
use kite_schema::SchemaFile;

/// Generates kite's typed bindings from provider schemas.
#[derive(Debug, Parser)]
#[command(name = "kite-bindgen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Regenerates the bindings listed in a manifest (default:
    /// `schemas/bindings.toml`), and the Cargo features of their modules.
    All {
        #[arg(long, default_value = "schemas/bindings.toml")]
        manifest: PathBuf,
        /// Write nothing; fail when a generated file differs from what is on disk.
        #[arg(long)]
        check: bool,
    },
    /// Generates the bindings of one provider into a directory of a user's crate.
    Generate {
        /// The output of `terraform providers schema -json`.
        #[arg(long)]
        schema: PathBuf,
        /// The provider's overlay (TOML): source, local name, version, and
        /// what the schema cannot say.
        #[arg(long)]
        overlay: PathBuf,
        /// The directory to write `mod.rs` and the modules into.
        #[arg(long)]
        out: PathBuf,
        /// Nested blocks deeper than this take untyped values.
        #[arg(long, default_value_t = 6)]
        depth_limit: usize,
        /// Write nothing; fail when a generated file differs from what is on disk.
        #[arg(long)]
        check: bool,
    },
}

/// The bindings a project generates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    /// Nested blocks deeper than this take untyped values.
    depth_limit: usize,
    /// The Cargo.toml whose `[features]` get one feature per generated module.
    cargo_toml: Option<PathBuf>,
    /// Where the schemas validation reads go: `<bundle>.rs` (an index) and
    /// `<bundle>.bin` (each type's schema, compact).
    bundle: Option<PathBuf>,
    /// Where the example tests of each provider go (`bindings_<name>.rs`).
    tests: Option<PathBuf>,
    provider: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    schema: PathBuf,
    overlay: PathBuf,
    out: PathBuf,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command.unwrap_or(Command::All {
        manifest: "schemas/bindings.toml".into(),
        check: false,
    }) {
        Command::All { manifest, check } => all(&manifest, check),
        Command::Generate {
            schema,
            overlay,
            out,
            depth_limit,
            check,
        } => {
            let overlay_data = Overlay::read(&overlay)?;
            let schemas = read_schema(&schema)?;
            let target = Target {
                kite: "kite".into(),
                source_note: format!("{} ({})", file_name(&schema), overlay_data.source),
            };
            let (_, files) = generate(&schemas, &overlay_data, depth_limit, &target)?;
            finish(&[(out, files)], &[], None, check)
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn read_schema(path: &Path) -> Result<SchemaFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    SchemaFile::from_json(&text).with_context(|| {
        format!(
            "{} is not the output of `terraform providers schema -json`",
            path.display()
        )
    })
}

fn generate(
    schemas: &SchemaFile,
    overlay: &Overlay,
    depth_limit: usize,
    target: &Target,
) -> Result<(model::Model, BTreeMap<String, String>)> {
    let full = kite_schema::full_source(&overlay.source);
    let Some(schema) = schemas.provider_schemas.get(&full) else {
        bail!(
            "the schema file has no provider `{full}` (it has: {}); check the overlay's `source`",
            schemas
                .provider_schemas
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let model = model::build(schema, overlay, depth_limit)?;
    if let Some(unknown) = overlay.always_compiled.iter().find(|name| {
        !model
            .modules
            .values()
            .any(|m| m.types.iter().any(|t| t.tf_type == **name))
    }) {
        bail!(
            "the overlay's `always_compiled` lists `{unknown}`, which is no resource or data source of `{}`; list Terraform type names (`aws_lambda_function`)",
            overlay.source
        );
    }
    let files = emit::files(&model, overlay, target);
    Ok((model, files))
}

/// `a/b/../c` → `a/c`: paths as a reader expects them in messages.
fn tidy(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn all(manifest_path: &Path, check: bool) -> Result<ExitCode> {
    let text = std::fs::read_to_string(manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?;
    let manifest: Manifest = toml::from_str(&text)
        .with_context(|| format!("{} is not a bindings manifest", manifest_path.display()))?;
    let base = &tidy(manifest_path.parent().unwrap_or(Path::new(".")));
    let mut outputs = Vec::new();
    let mut features: Vec<(String, Vec<String>)> = Vec::new();
    let mut schema_cache: BTreeMap<PathBuf, SchemaFile> = BTreeMap::new();
    let mut bundled: Vec<(String, PathBuf)> = Vec::new();
    let mut extra = Vec::new();
    for entry in &manifest.provider {
        let schema_path = tidy(&base.join(&entry.schema));
        if !schema_cache.contains_key(&schema_path) {
            schema_cache.insert(schema_path.clone(), read_schema(&schema_path)?);
        }
        let overlay = Overlay::read(&base.join(&entry.overlay))?;
        bundled.push((
            kite_schema::full_source(&overlay.source),
            schema_path.clone(),
        ));
        let target = Target {
            kite: "crate".into(),
            source_note: format!(
                "schemas/{} ({}) and schemas/{}",
                entry.schema.display(),
                overlay.source,
                entry.overlay.display()
            ),
        };
        let (model, files) = generate(
            &schema_cache[&schema_path],
            &overlay,
            manifest.depth_limit,
            &target,
        )?;
        if let Some(tests) = &manifest.tests {
            extra.push((
                tidy(&base.join(tests)).join(format!("bindings_{}.rs", overlay.local_name)),
                examples::test_file(&model, &overlay, &target.source_note).into_bytes(),
            ));
        }
        if let Some(prefix) = &overlay.feature_prefix {
            let modules: Vec<String> = model
                .modules
                .values()
                .filter_map(|m| emit::Compiled::of(&overlay, m).feature().map(str::to_owned))
                .collect();
            features.push((prefix.clone(), modules));
        }
        outputs.push((tidy(&base.join(&entry.out)), files));
    }
    let cargo = manifest
        .cargo_toml
        .as_ref()
        .map(|p| (tidy(&base.join(p)), features_block(&features)));
    if let Some(bundle) = &manifest.bundle {
        let providers: Vec<(&str, &kite_schema::ProviderSchema)> = bundled
            .iter()
            .filter_map(|(source, path)| {
                Some((
                    source.as_str(),
                    schema_cache[path].provider_schemas.get(source)?,
                ))
            })
            .collect();
        let (index, blob) = bundle::encode(&providers, &file_name(&bundle.with_extension("bin")))?;
        let bundle = tidy(&base.join(bundle));
        extra.push((bundle.with_extension("rs"), index.into_bytes()));
        extra.push((bundle.with_extension("bin"), blob));
    }
    finish(&outputs, &extra, cargo, check)
}

const FEATURES_BEGIN: &str = "# BEGIN features generated by kite-bindgen\n";
const FEATURES_END: &str = "# END features generated by kite-bindgen\n";

/// One feature per module, one per provider enabling all of its modules,
/// and `full` for every provider.
fn features_block(features: &[(String, Vec<String>)]) -> String {
    let mut out = String::from(FEATURES_BEGIN);
    for (provider, modules) in features {
        let list: Vec<String> = modules.iter().map(|m| format!("\"{m}\"")).collect();
        out.push_str(&format!("{provider} = [{}]\n", list.join(", ")));
        for m in modules {
            out.push_str(&format!("{m} = []\n"));
        }
    }
    let providers: Vec<String> = features.iter().map(|(p, _)| format!("\"{p}\"")).collect();
    out.push_str(&format!("full = [{}]\n", providers.join(", ")));
    out.push_str(FEATURES_END);
    out
}

/// Writes the files (or, with `check`, compares them), removing files of
/// the output directories that are no longer generated.
fn finish(
    outputs: &[(PathBuf, BTreeMap<String, String>)],
    extra: &[(PathBuf, Vec<u8>)],
    cargo: Option<(PathBuf, String)>,
    check: bool,
) -> Result<ExitCode> {
    let mut differ: Vec<String> = Vec::new();
    for (path, content) in extra {
        if std::fs::read(path).is_ok_and(|old| old == *content) {
            continue;
        }
        if check {
            differ.push(path.display().to_string());
        } else {
            std::fs::write(path, content)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    for (dir, files) in outputs {
        for (name, content) in files {
            let path = dir.join(name);
            let same = std::fs::read_to_string(&path).is_ok_and(|old| old == *content);
            if same {
                continue;
            }
            if check {
                differ.push(path.display().to_string());
            } else {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                std::fs::write(&path, content)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".rs") && !files.contains_key(&name) {
                    if check {
                        differ.push(format!("{} (no longer generated)", entry.path().display()));
                    } else {
                        std::fs::remove_file(entry.path())
                            .with_context(|| format!("cannot remove {}", entry.path().display()))?;
                    }
                }
            }
        }
    }
    if let Some((path, block)) = cargo {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let (Some(begin), Some(end)) = (text.find(FEATURES_BEGIN), text.find(FEATURES_END)) else {
            bail!(
                "{} has no `{}` ... `{}` lines in its [features] table for the generated features: add them",
                path.display(),
                FEATURES_BEGIN.trim(),
                FEATURES_END.trim()
            );
        };
        let updated = format!(
            "{}{block}{}",
            &text[..begin],
            &text[end + FEATURES_END.len()..]
        );
        if updated != text {
            if check {
                differ.push(format!("{} (features)", path.display()));
            } else {
                std::fs::write(&path, updated)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
    }
    if check && !differ.is_empty() {
        eprintln!(
            "error: the generated bindings are out of date ({} file{}):\n  {}\nRun `cargo run -p kite-bindgen` and commit the result.",
            differ.len(),
            if differ.len() == 1 { "" } else { "s" },
            differ.join("\n  ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
