fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    tonic_build::configure()
        .build_client(false)
        .compile_protos(&["proto/plugin.proto", "proto/tfplugin6.proto"], &["proto"])?;
    Ok(())
}
