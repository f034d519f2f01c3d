//! Names of what is created, derived from the stack's names (LANGUAGE.md, "Names of
//! what is created"): the checks measure them, the emitter writes them.

/// The registry namespace: the environment and stack names without hyphens.
pub fn registry_name(env: &str, stack: &str) -> String {
    format!("{env}{stack}").replace(['-', '_'], "")
}
