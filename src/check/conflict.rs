//! `cellac::conflict`: settings that contradict each other in one node as written:
//! `public` and `private` in one service, `image ref=` with a build's `dockerfile=`,
//! `context=` or `platform=`. (One environment key set two ways is
//! `cellac::env::duplicate`.)

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::syntax::Node;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for svc in super::env::service_nodes(ctx) {
        service(svc, out);
    }
}

fn service(svc: &Node, out: &mut Vec<Diagnostic>) {
    let flags: Vec<&Node> = svc
        .children()
        .iter()
        .filter(|c| matches!(c.name.value.as_str(), "public" | "private"))
        .collect();
    let first = flags.first();
    let second = first.and_then(|f| flags.iter().find(|c| c.name.value != f.name.value));
    if let (Some(first), Some(second)) = (first, second) {
        out.push(
            Diagnostic::error(
                "cellac::conflict",
                format!(
                    "`{}` and `{}` in one service",
                    first.name.value, second.name.value
                ),
            )
            .at(second.name.span, "contradicts the other")
            .also(first.name.span, "set here")
            .help("keep one: `public` (anyone can call it, the default) or `private` (callers need a token)"),
        );
    }
    for image in svc.children().iter().filter(|c| c.name.value == "image") {
        let Some(reference) = image.props.iter().find(|p| p.key.value == "ref") else {
            continue;
        };
        for build in image
            .props
            .iter()
            .filter(|p| matches!(p.key.value.as_str(), "dockerfile" | "context" | "platform"))
        {
            out.push(
                Diagnostic::error(
                    "cellac::conflict",
                    format!(
                        "`image` has both `ref=` (a prebuilt image) and `{}=` (a build)",
                        build.key.value
                    ),
                )
                .at(build.key.span, "a build setting")
                .also(reference.key.span, "a prebuilt image")
                .help("keep `ref=` to run a prebuilt image, or remove it to build from the Dockerfile"),
            );
        }
    }
}
