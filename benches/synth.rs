//! Synthesis benchmarks (`cargo bench`): the Kite stacks in memory and
//! written to disk, a generated stack of N tables and N policies, and the
//! fingerprints of a 50 MB Lambda package, hashed and remembered.

#[path = "../stacks/build.rs"]
mod build;
#[path = "../stacks/config.rs"]
#[allow(dead_code)]
mod config;
#[path = "../stacks/dynamodb_schema.rs"]
mod dynamodb_schema;
#[path = "../stacks/kite.rs"]
#[allow(dead_code)]
mod kite_stack;
#[path = "../stacks/local.rs"]
mod local;
#[path = "../examples/support/scale_stack.rs"]
mod scale_stack;
#[path = "../stacks/stage.rs"]
#[allow(unused_imports)]
mod stage;

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kite::synth::{SynthesizedStack, output_dir, synthesize};
use kite::validate::{Schemas, validate};
use kite::{Env, Stack};

// mimalloc, as in the scale example: in one long process its speed per
// allocation counts, not its start-up (the `kite` binary keeps the system
// allocator, doc/adr/0017).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(project: &Path) -> Env {
    let zip = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/function.zip");
    Env::from_vars(
        project,
        [
            ("KITE_LAMBDA_ZIP", zip.to_string_lossy().into_owned()),
            ("KITE_DOMAIN", "k1te.chat".into()),
            ("CLOUDFLARE_API_TOKEN", "bench".into()),
        ],
    )
}

/// What `kite synth` does to a stack in memory: check, render, validate.
fn synth_checked(stack: Stack, schemas: &Schemas) -> SynthesizedStack {
    let synthesized = synthesize(stack).expect("the stack synthesizes");
    let findings = validate(&synthesized, schemas);
    assert!(findings.is_empty(), "{findings:?}");
    synthesized
}

fn kite_stacks(c: &mut Criterion) {
    let project = tempfile::tempdir().unwrap();
    let env = env(project.path());
    let schemas = Schemas::bundled();
    let mut group = c.benchmark_group("kite-stacks");
    group.bench_function("kite, kite-dev and build (with domain), in memory", |b| {
        b.iter(|| {
            kite_stack::build_group(black_box(&env))
                .unwrap()
                .into_iter()
                .map(|stack| synth_checked(stack, &schemas))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("local, in memory", |b| {
        b.iter(|| synth_checked(local::build(black_box(&env)).unwrap(), &schemas))
    });
    group.bench_function("kite and local, written to disk", |b| {
        let out = project.path().join("two.out");
        b.iter(|| {
            let mut stacks: Vec<SynthesizedStack> = kite_stack::build_group(&env)
                .unwrap()
                .into_iter()
                .filter(|stack| stack.name() == "kite")
                .map(|stack| synth_checked(stack, &schemas))
                .collect();
            stacks.push(synth_checked(local::build(&env).unwrap(), &schemas));
            output_dir::write(&out, &stacks).unwrap()
        })
    });
    group.bench_function("all four stacks, written to disk", |b| {
        let out = project.path().join("cdktf.out");
        b.iter(|| {
            let mut stacks: Vec<SynthesizedStack> = kite_stack::build_group(&env)
                .unwrap()
                .into_iter()
                .map(|stack| synth_checked(stack, &schemas))
                .collect();
            stacks.push(synth_checked(local::build(&env).unwrap(), &schemas));
            output_dir::write(&out, &stacks).unwrap()
        })
    });
    group.bench_function("bundled schemas, opened", |b| b.iter(Schemas::bundled));
    group.finish();
}

fn generated(c: &mut Criterion) {
    let schemas = Schemas::bundled();
    let mut group = c.benchmark_group("generated-tables");
    group.sample_size(10);
    for n in [100usize, 1_000, 10_000] {
        group.throughput(Throughput::Elements(2 * n as u64));
        group.bench_with_input(BenchmarkId::new("in memory", n), &n, |b, &n| {
            b.iter(|| synth_checked(scale_stack::scale_stack(n), &schemas))
        });
    }
    let dir = tempfile::tempdir().unwrap();
    for n in [100usize, 1_000, 10_000] {
        group.throughput(Throughput::Elements(2 * n as u64));
        group.bench_with_input(BenchmarkId::new("written to disk", n), &n, |b, &n| {
            let out = dir.path().join(format!("out-{n}"));
            b.iter(|| {
                let stack = synth_checked(scale_stack::scale_stack(n), &schemas);
                output_dir::write(&out, std::slice::from_ref(&stack)).unwrap()
            })
        });
    }
    group.finish();
}

/// A 50 MB package: hashed (a first synth), and with its fingerprints
/// remembered in the output directory (every synth after it).
fn fingerprints(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("function.zip");
    // Not compressible, like a zip: a simple generator, no dependency.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let content: Vec<u8> = (0..50 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(&package, &content).unwrap();
    drop(content);
    let out = dir.path().join("cdktf.out");
    std::fs::create_dir_all(&out).unwrap();
    let declare = || {
        let mut stack = Stack::new("s");
        let root = stack.root();
        stack.asset(&root, "package", &package).unwrap()
    };
    // A first run, once the package has settled, remembers the
    // fingerprints.
    std::thread::sleep(kite::fingerprints::SETTLED + std::time::Duration::from_millis(100));
    kite::fingerprints::load(&out);
    declare();
    kite::fingerprints::save(&out).unwrap();
    assert!(
        out.join(kite::fingerprints::FILE_NAME).is_file(),
        "the fingerprints are remembered"
    );

    let mut group = c.benchmark_group("fingerprints");
    group.sample_size(10);
    group.bench_function("50 MB package, hashed", |b| {
        b.iter(|| kite::fingerprints::hash(black_box(&package)).unwrap())
    });
    group.bench_function("50 MB package, remembered", |b| {
        kite::fingerprints::load(&out);
        b.iter(declare)
    });
    group.finish();
}

criterion_group!(benches, kite_stacks, generated, fingerprints);
criterion_main!(benches);
