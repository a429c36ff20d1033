//! `kite completions SHELL`, run as the built binary.

use std::process::Command;

/// `kite completions SHELL`, run where there is no project.
fn completions(shell: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_kite"))
        .args(["completions", shell])
        .current_dir(dir.path())
        .env_clear()
        .output()
        .unwrap()
}

#[test]
fn completions_for_every_shell_name_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = completions(shell);
        let script = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for command in [
            "synth",
            "deploy",
            "validate",
            "graph",
            "completions",
            "auto-approve",
        ] {
            assert!(script.contains(command), "{shell}'s script lacks {command}");
        }
    }
}

#[test]
fn the_bash_script_is_valid_bash() {
    let out = completions("bash");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kite.bash");
    std::fs::write(&file, &out.stdout).unwrap();
    let check = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Sourced, it completes commands and option values.
    // As bash calls it: the words, the index of the one completed, and the
    // command, that word and the one before as arguments.
    let complete = |words: &str, current: usize| {
        let script = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD={current}; \
             _kite kite \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             echo \"${{COMPREPLY[@]}}\"",
            file.display()
        );
        let out = Command::new("bash").arg("-c").arg(script).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    assert_eq!(complete("kite sy", 1), "synth");
    assert_eq!(complete("kite gr", 1), "graph");
    assert_eq!(complete("kite graph --format ''", 3), "dot svg");
    assert_eq!(
        complete("kite completions ''", 2),
        "-h --help bash elvish fish powershell zsh"
    );
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = completions("tcsh");
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'tcsh'"));
}
