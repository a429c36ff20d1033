//! References between stacks of one app group: read through the
//! producer's state, with outputs named after construct paths, listed as
//! dependencies; cycles refused with the paths that make them.

use kite::aws::AwsProvider;
use kite::aws::iam::{IamRole, IamRoleArgs, IamRolePolicy, IamRolePolicyArgs};
use kite::aws::s3::S3Bucket;
use kite::backend::{LocalBackend, S3Backend};
use kite::output::Output;
use kite::{App, Env, Stack};
use serde_json::{Value, json};

fn env() -> Env {
    Env::from_vars(std::path::Path::new("/p"), [("X", "1")])
}

/// `build` owns a bucket; `app` grants on it, through `build`'s state.
fn two_stacks(app_reads_twice: bool) -> anyhow::Result<Vec<Stack>> {
    let mut build = Stack::new("build");
    build.set_backend(
        S3Backend::new("state-bucket", "build/terraform.tfstate", "eu-north-1").use_lockfile(true),
    );
    let root = build.root();
    let bucket = build.add(
        &root.child("packages"),
        "bucket",
        S3Bucket::new().bucket_prefix("p-"),
    );

    let mut app = Stack::new("app");
    app.set_backend(LocalBackend::new("/p/app.tfstate"));
    let root = app.root();
    let role = app.add(
        &root,
        "role",
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{}".into(),
        }),
    );
    let policy = kite::template!["{\"Resource\": \"", bucket.arn(), "/*\"}"];
    app.add(
        &root,
        "grant",
        IamRolePolicy::new(IamRolePolicyArgs {
            policy,
            role: role.name(),
        }),
    );
    if app_reads_twice {
        let again = kite::template!["{\"Resource\": \"", bucket.arn(), "\"}"];
        app.add(
            &root,
            "grant-again",
            IamRolePolicy::new(IamRolePolicyArgs {
                policy: again,
                role: role.name(),
            }),
        );
    }
    Ok(vec![build, app])
}

/// `app` reads `build`'s bucket only in its provider and in an output.
fn reads_in_provider_and_output() -> anyhow::Result<Vec<Stack>> {
    let mut build = Stack::new("build");
    build.set_backend(LocalBackend::new("/p/build.tfstate"));
    let root = build.root();
    let bucket = build.add(&root, "bucket", S3Bucket::new().bucket_prefix("p-"));

    let mut app = Stack::new("app");
    app.set_backend(LocalBackend::new("/p/app.tfstate"));
    let root = app.root();
    app.provider(AwsProvider::new().region(bucket.region()));
    app.output(&root, "packages", Output::new(bucket.arn()));
    Ok(vec![build, app])
}

fn synth(app: &App, name: &str) -> Value {
    let def = app.stacks().iter().find(|d| d.name() == name).unwrap();
    let stack = app.build(def, &env()).unwrap();
    kite::synth::synthesize(stack).unwrap().document()
}

fn group() -> App {
    App::new().group(&[("build", "packages"), ("app", "the app")], |_| {
        two_stacks(true)
    })
}

#[test]
fn a_handle_of_another_stack_is_read_through_its_state() {
    let app = group();
    let consumer = synth(&app, "app");
    let grant = &consumer["resource"]["aws_iam_role_policy"]["grant"];
    // Named after the bucket's construct path and the attribute read.
    let output = kite::id::logical_id(&["exports", "packages", "bucket", "arn"]);
    assert!(
        output.starts_with("exports_packages_bucket_arn_"),
        "{output}"
    );
    assert_eq!(
        grant["policy"],
        format!(
            "{{\"Resource\": \"${{data.terraform_remote_state.build-state.outputs.{output}}}/*\"}}"
        )
    );
    // Configured from the producer's backend (what readers need: no locking).
    assert_eq!(
        consumer["data"]["terraform_remote_state"]["build-state"]["backend"],
        "s3"
    );
    assert_eq!(
        consumer["data"]["terraform_remote_state"]["build-state"]["config"],
        json!({"bucket": "state-bucket", "key": "build/terraform.tfstate", "region": "eu-north-1"})
    );
    // The producer has the output, once, whoever reads it how often.
    let producer = synth(&app, "build");
    let outputs = producer["output"].as_object().unwrap();
    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let bucket = kite::id::logical_id(&["packages", "bucket"]);
    assert_eq!(
        outputs[&output]["value"],
        format!("${{aws_s3_bucket.{bucket}.arn}}")
    );
    // References within a stack stay direct.
    assert_eq!(grant["role"], "${aws_iam_role.role.name}");
}

#[test]
fn output_names_come_from_construct_paths_and_are_stable() {
    let first = synth(&group(), "build");
    let second = synth(&group(), "build");
    assert_eq!(first["output"], second["output"]);
    // The producer's construct path, then the attribute.
    assert_eq!(
        first["//"]["outputs"]["build"]["exports"]["packages"]["bucket"]["arn"],
        kite::id::logical_id(&["exports", "packages", "bucket", "arn"])
    );
}

#[test]
fn the_consumer_depends_on_the_producer() {
    let app = group();
    let def = app.stacks().iter().find(|d| d.name() == "app").unwrap();
    let stack = app.build(def, &env()).unwrap();
    assert_eq!(stack.dependencies(), ["build"]);
    let def = app.stacks().iter().find(|d| d.name() == "build").unwrap();
    assert!(app.build(def, &env()).unwrap().dependencies().is_empty());
}

#[test]
fn a_local_backend_is_read_from_its_path() {
    let app = App::new().group(&[("a", ""), ("b", "")], |_| {
        let mut a = Stack::new("a");
        a.set_backend(LocalBackend::new("/state/a.tfstate"));
        let root = a.root();
        let bucket = a.add(&root, "bucket", S3Bucket::new());
        let mut b = Stack::new("b");
        let root = b.root();
        b.add(
            &root,
            "copy",
            S3Bucket::new().bucket_prefix(bucket.bucket()),
        );
        Ok(vec![a, b])
    });
    let b = synth(&app, "b");
    assert_eq!(
        b["data"]["terraform_remote_state"]["a-state"],
        json!({
            "//": {"metadata": {"path": "b/a-state", "uniqueId": "a-state"}},
            "backend": "local",
            "config": {"path": "/state/a.tfstate"}
        })
    );
}

/// Three stacks, each reading the next; `close` makes the last read the first.
fn ring(n: usize, close: bool) -> anyhow::Result<Vec<Stack>> {
    let names = ["one", "two", "three"];
    let mut stacks: Vec<Stack> = names[..n].iter().map(|n| Stack::new(*n)).collect();
    let buckets: Vec<_> = stacks
        .iter_mut()
        .map(|s| {
            let root = s.root();
            s.add(&root, "bucket", S3Bucket::new())
        })
        .collect();
    for (i, stack) in stacks.iter_mut().enumerate() {
        let next = (i + 1) % n;
        if next == 0 && !close {
            continue;
        }
        let root = stack.root();
        stack.add(
            &root,
            "reads",
            S3Bucket::new().bucket_prefix(buckets[next].bucket()),
        );
    }
    Ok(stacks)
}

#[test]
fn a_cycle_of_two_or_three_stacks_is_refused_with_the_paths_that_make_it() {
    for n in [2, 3] {
        let names = ["one", "two", "three"];
        let members: Vec<(&str, &str)> = names[..n].iter().map(|n| (*n, "")).collect();
        let app = App::new().group(&members, move |_| ring(n, true));
        let def = &app.stacks()[0];
        let err = match app.build(def, &env()) {
            Err(e) => format!("{e:#}"),
            Ok(_) => panic!("a cycle of {n} built"),
        };
        assert!(err.contains("depend on each other"), "{err}");
        for name in &names[..n] {
            assert!(err.contains(&format!("{name}/reads reads ")), "{n}: {err}");
        }
        assert!(err.contains("/exports/bucket/bucket"), "{err}");
        // Without the closing reference, they build.
        let app = App::new().group(&members, move |_| ring(n, false));
        assert!(app.build(&app.stacks()[0], &env()).is_ok());
    }
}

#[test]
fn a_declared_dependency_reads_nothing_but_is_listed_and_counts_for_cycles() {
    let app = App::new().group(&[("a", ""), ("b", "")], |_| {
        let mut a = Stack::new("a");
        a.depends_on_stack("b");
        let mut b = Stack::new("b");
        b.depends_on_stack("a");
        Ok(vec![a, b])
    });
    let err = match app.build(&app.stacks()[0], &env()) {
        Err(e) => format!("{e:#}"),
        Ok(_) => panic!("the cycle built"),
    };
    assert!(
        err.contains("`a` needs `b` (a declares that it needs b)"),
        "{err}"
    );

    let app = App::new().group(&[("a", ""), ("b", "")], |_| {
        let mut a = Stack::new("a");
        a.depends_on_stack("b");
        Ok(vec![a, Stack::new("b")])
    });
    let a = synth(&app, "a");
    assert!(
        a.get("data").is_none(),
        "no state read without a value read"
    );
}

#[test]
fn a_handle_of_a_stack_outside_the_group_is_refused_at_synthesis() {
    let app = App::new()
        .stack("a", "", |_| Ok(Stack::new("a")))
        .stack("b", "", |_| {
            let mut other = Stack::new("elsewhere");
            let root = other.root();
            let bucket = other.add(&root, "bucket", S3Bucket::new());
            let mut b = Stack::new("b");
            let root = b.root();
            b.add(
                &root,
                "copy",
                S3Bucket::new().bucket_prefix(bucket.bucket()),
            );
            Ok(vec![b].into_iter().next().unwrap())
        });
    let def = app.stacks().iter().find(|d| d.name() == "b").unwrap();
    let err = kite::synth::synthesize(app.build(def, &env()).unwrap()).unwrap_err();
    assert!(
        err.to_string()
            .contains("refers to `aws_s3_bucket.bucket` of stack `elsewhere`"),
        "{err}"
    );
}

#[test]
fn a_provider_and_an_output_read_another_stack_through_its_state() {
    let app = App::new().group(&[("build", "packages"), ("app", "the app")], |_| {
        reads_in_provider_and_output()
    });
    let consumer = synth(&app, "app");
    let read = |attribute: &str| {
        let output = kite::id::logical_id(&["exports", "bucket", attribute]);
        format!("${{data.terraform_remote_state.build-state.outputs.{output}}}")
    };
    assert_eq!(consumer["provider"]["aws"][0]["region"], read("region"));
    assert_eq!(consumer["output"]["packages"]["value"], read("arn"));
    let producer = synth(&app, "build");
    let outputs = producer["output"].as_object().unwrap();
    assert_eq!(outputs.len(), 2, "{outputs:?}");
    for attribute in ["region", "arn"] {
        let name = kite::id::logical_id(&["exports", "bucket", attribute]);
        assert!(outputs.contains_key(&name), "{name} in {outputs:?}");
    }
}
