fn main() -> std::process::ExitCode {
    cellac::cli::main().into()
}
