//! The floor for `examples/scale.rs`: the same `cdk.tf.json` for N tables,
//! built directly as a `serde_json::Value` (keys in sorted order, the same
//! logical ids) and written with serde_json's pretty printer through the same
//! buffer size, with none of kite's constructs, checks or atomic output.
//! Issue 11 holds `scale N` to at most 3× this, measured in the same run:
//!
//! ```sh
//! cargo build --release --example scale --example serde_floor
//! target/release/examples/serde_floor 10000 /tmp/floor.json
//! cmp /tmp/floor.json /tmp/scale.out/stacks/scale/cdk.tf.json   # the same bytes
//! ```

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use serde_json::{Map, Value, json};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn metadata(path: &str, id: &str) -> Value {
    json!({"metadata": {"path": path, "uniqueId": id}})
}

fn document(n: usize) -> Value {
    let mut tables = BTreeMap::new();
    let mut policies = BTreeMap::new();
    for i in 0..n {
        let t = format!("t{i}");
        let table_id = kite::id::logical_id(&[t.as_str(), "table"]);
        let read_id = kite::id::logical_id(&[t.as_str(), "read"]);
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"${{aws_dynamodb_table.{table_id}.arn}}","Effect":"Allow"}}]}}"#
        );
        policies.insert(
            read_id.clone(),
            json!({
                "//": metadata(&format!("scale/{t}/read"), &read_id),
                "name": format!("read-table-{i}"),
                "policy": policy,
                "role": "scale-role",
            }),
        );
        tables.insert(
            table_id.clone(),
            json!({
                "//": metadata(&format!("scale/{t}/table"), &table_id),
                "attribute": [{"name": "id", "type": "S"}],
                "billing_mode": "PAY_PER_REQUEST",
                "hash_key": "id",
                "name": format!("scale.Table{i}"),
                "point_in_time_recovery": {"enabled": true},
                "tags": {"app": "scale", "index": i.to_string()},
                "ttl": {"attribute_name": "expires", "enabled": true},
            }),
        );
    }
    let sorted = |m: BTreeMap<String, Value>| Value::Object(m.into_iter().collect::<Map<_, _>>());
    json!({
        "//": {
            "metadata": {"backend": "local", "stackName": "scale", "version": kite::synth::VERSION},
            "outputs": {},
        },
        "provider": {"aws": [{"region": "eu-north-1"}]},
        "resource": {
            "aws_dynamodb_table": sorted(tables),
            "aws_iam_role_policy": sorted(policies),
        },
        "terraform": {
            "backend": {"local": {"path": "terraform.scale.tfstate"}},
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": "~> 6.0"}},
        },
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: serde_floor N OUT_FILE  (the cdk.tf.json of `scale N`)");
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("error: N must be a number of tables, not `{n}`");
        return ExitCode::from(2);
    };
    let doc = document(n);
    let written = std::fs::File::create(out).and_then(|file| {
        let mut w = BufWriter::with_capacity(64 * 1024, file);
        serde_json::to_writer_pretty(&mut w, &doc)?;
        w.write_all(b"\n")?;
        w.flush()
    });
    if let Err(e) = written {
        eprintln!("error: cannot write {out}: {e}");
        return ExitCode::FAILURE;
    }
    // Like `kite`, leave the tree to the operating system.
    std::mem::forget(doc);
    ExitCode::SUCCESS
}
