//! Go to definition and find references, for secrets, vars, services, sites and buckets.

use super::analysis::Analysis;
use crate::span::Span;

/// Where the name under `offset` is declared.
pub fn definition(analysis: &Analysis, offset: usize) -> Option<Span> {
    let sym = analysis.symbol_at(offset)?;
    analysis.declaration(sym.kind, &sym.name).map(|d| d.span)
}

/// Every use of the name under `offset` (a declaration or a reference), in document order.
pub fn references(analysis: &Analysis, offset: usize, include_declaration: bool) -> Vec<Span> {
    let Some(sym) = analysis.symbol_at(offset) else {
        return Vec::new();
    };
    analysis
        .symbols
        .iter()
        .filter(|s| s.kind == sym.kind && s.name == sym.name && (include_declaration || !s.decl))
        .map(|s| s.span)
        .collect()
}
