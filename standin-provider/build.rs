//! Compiles the plugin protocol's .proto files with the protoc that
//! `protoc-bin-vendored` brings from crates.io, so no system protoc is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: build scripts are single-threaded; prost-build reads PROTOC.
    unsafe { std::env::set_var("PROTOC", protoc_bin_vendored::protoc_bin_path()?) };
    tonic_prost_build::configure()
        .build_client(false)
        .compile_protos(
            &[
                "proto/tfplugin6.proto",
                "proto/plugin.proto",
                "proto/health.proto",
            ],
            &["proto"],
        )?;
    Ok(())
}
