fn main() {
    std::process::exit(cellac::cli::main());
}
