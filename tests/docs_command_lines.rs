//! Every `kite …` command line in README.md and in the example workflow
//! (doc/ci/github-actions.yml) is one the command line accepts, so the
//! documentation cannot drift from it: in shell code blocks and workflow
//! steps, the command as written; in inline code, a synopsis
//! (`kite deploy [STACK...] [--auto-approve]`) is checked with its required
//! part alone and with each optional group (each alternative of `a|b`),
//! placeholders (`STACK`, `DIR`) standing for values. `cargo run [--release]
//! -- ARGS` and `cargo run --example NAME -- ARGS` count as kite command
//! lines too.

use std::path::Path;

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// Where a command ends in a line of shell.
fn cut_shell(text: &str) -> &str {
    let mut end = text.len();
    for stop in [" #", " | ", "|", ">", ")", ";", "&&", "\"", "'"] {
        if let Some(i) = text.find(stop) {
            end = end.min(i);
        }
    }
    text[..end].trim_end_matches('\\').trim()
}

/// The kite command lines (arguments after the program) in a line of
/// shell: `kite ARGS`, `cargo run ... -- ARGS`.
fn in_shell_line(line: &str) -> Vec<String> {
    let line = line.trim();
    if line.starts_with('#') {
        return Vec::new();
    }
    // A console's prompt.
    let line = line.strip_prefix("$ ").unwrap_or(line);
    let mut found = Vec::new();
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(i) = line[from..].find("kite ") {
        let at = from + i;
        from = at + 5;
        // A command: at the start, or after `run: `, `$(`, `| `, `; `, `&& `.
        let before = line[..at].trim_end();
        let starts_command = before.is_empty()
            || before.ends_with("run:")
            || before.ends_with("$(")
            || before.ends_with('|')
            || before.ends_with(';')
            || before.ends_with("&&")
            || before.ends_with("exec");
        let word_start =
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'-');
        if starts_command && word_start {
            found.push(cut_shell(&line[at + 5..]).to_owned());
        }
    }
    // `cargo run [--release] [--example NAME] -- ARGS`: kite's binary or an
    // example built on kite's command line; not another package's.
    if let Some(i) = line.find("cargo run") {
        if let Some(j) = line[i..].find(" -- ") {
            let options = &line[i + "cargo run".len()..i + j];
            let other_package = options
                .split_whitespace()
                .any(|o| o == "-p" || o.starts_with("--package") || o.starts_with("--bin"));
            if !other_package {
                found.push(cut_shell(&line[i + j + 4..]).to_owned());
            }
        }
    }
    found
}

/// The command lines of a synopsis: the required part, then the required
/// part with each optional group (each of its alternatives).
fn expand_synopsis(text: &str) -> Vec<Vec<String>> {
    let placeholder = |word: &str| -> String {
        let bare = word.trim_end_matches("...").trim_end_matches('…');
        if !bare.is_empty() && bare.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            // A value of the placeholder's type.
            match bare {
                "SHELL" => "bash",
                "N" => "2",
                _ => "x",
            }
            .to_owned()
        } else {
            bare.to_owned()
        }
    };
    let mut required: Vec<String> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']').unwrap_or(stripped.len());
            groups.push(stripped[..end].to_owned());
            rest = stripped.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find('[').unwrap_or(rest.len());
            required.extend(rest[..end].split_whitespace().map(placeholder));
            rest = &rest[end..];
        }
    }
    // A required word with alternatives (`diff|deploy|destroy`): each.
    let mut bases: Vec<Vec<String>> = vec![Vec::new()];
    for word in &required {
        bases = bases
            .into_iter()
            .flat_map(|base| {
                word.split('|').map(move |alternative| {
                    let mut line = base.clone();
                    line.push(alternative.to_owned());
                    line
                })
            })
            .collect();
    }
    let mut lines = Vec::new();
    for base in bases {
        lines.push(base.clone());
        for group in &groups {
            for alternative in group.split('|') {
                let mut line = base.clone();
                line.extend(alternative.split_whitespace().map(placeholder));
                lines.push(line);
            }
        }
    }
    lines
}

/// Every command line of a document, with where it is.
fn command_lines(name: &str, text: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let yaml = name.ends_with(".yml");
    let mut fence: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let at = format!("{name}:{}", n + 1);
        let trimmed = line.trim_start();
        if let Some(lang) = trimmed.strip_prefix("```") {
            fence = match fence {
                Some(_) => None,
                None => Some(lang.to_owned()),
            };
            continue;
        }
        let shell = yaml || matches!(fence.as_deref(), Some("sh" | "bash" | "shell" | "console"));
        if shell && !trimmed.starts_with('#') {
            for args in in_shell_line(line) {
                found.push((
                    at.clone(),
                    args.split_whitespace().map(str::to_owned).collect(),
                ));
            }
        }
        if fence.is_some() && !yaml {
            continue;
        }
        // Inline code, in prose, tables and comments.
        for (i, span) in line.split('`').enumerate() {
            if i % 2 == 0 {
                continue;
            }
            let span = span.replace("\\|", "|");
            if let Some(args) = span.strip_prefix("kite ") {
                let args = match args.find(" | ").or_else(|| args.find(" >")) {
                    Some(end) => &args[..end],
                    None => args,
                };
                for line in expand_synopsis(args) {
                    found.push((at.clone(), line));
                }
            }
        }
    }
    found
}

fn check(name: &str) -> usize {
    let text = read(name);
    let lines = command_lines(name, &text);
    let mut bad = Vec::new();
    for (at, args) in &lines {
        let argv = std::iter::once("kite".to_owned()).chain(args.iter().cloned());
        if let Err(e) = kite::cli::check_command_line(argv) {
            bad.push(format!(
                "{at}: `kite {}`:\n{}",
                args.join(" "),
                e.lines().next().unwrap_or_default()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "command lines in {name} that kite does not accept:\n{}",
        bad.join("\n")
    );
    lines.len()
}

#[test]
fn every_kite_command_line_in_the_readme_is_accepted() {
    let checked = check("README.md");
    assert!(checked > 30, "only {checked} command lines found");
}

#[test]
fn every_kite_command_line_in_the_example_workflow_is_accepted() {
    let text = read("doc/ci/github-actions.yml");
    let lines = command_lines("doc/ci/github-actions.yml", &text);
    let shown: Vec<String> = lines.iter().map(|(_, a)| a.join(" ")).collect();
    for expected in [
        "diff --all --detailed-exitcode",
        "deploy build kite-dev kite --auto-approve",
    ] {
        assert!(
            shown.iter().any(|s| s == expected),
            "{expected} not found in {shown:?}"
        );
    }
    check("doc/ci/github-actions.yml");
}

/// The checks themselves: what they find, and that they catch a mistake.
#[test]
fn the_check_finds_commands_and_refuses_what_kite_refuses() {
    let found = command_lines(
        "x.md",
        "```console\n$ kite list --json\n{\"stacks\": []}\n```\n```sh\nkite deploy kite --auto-approve   # production\n\"$(kite output build --json | jq .)\"\ncargo run --release -- synth\ncargo run -p kite-bindgen -- all\n```\nSee `kite diff [STACK...|--all] [--raw]`, `kite diff|output x`, `kite completions SHELL`.\n",
    );
    let shown: Vec<String> = found.iter().map(|(_, a)| a.join(" ")).collect();
    assert_eq!(
        shown,
        [
            "list --json",
            "deploy kite --auto-approve",
            "output build --json",
            "synth",
            "diff",
            "diff x",
            "diff --all",
            "diff --raw",
            "diff x",
            "output x",
            "completions bash"
        ]
    );
    let accepts = |line: &str| {
        kite::cli::check_command_line(std::iter::once("kite").chain(line.split_whitespace()))
    };
    assert_eq!(accepts("deploy --all --auto-approve"), Ok(()));
    assert_eq!(accepts("diff --help"), Ok(()));
    assert!(accepts("deploy --yes").is_err());
    assert!(
        accepts("diff kite --all").is_err(),
        "stacks and --all conflict"
    );
    assert!(
        accepts("deploy kite -- -auto-approve")
            .unwrap_err()
            .contains("pass --auto-approve to kite")
    );
}
