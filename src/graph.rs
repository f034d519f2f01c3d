//! `cellac graph`: one environment's architecture as a Mermaid flowchart or a Graphviz
//! DOT digraph. Pure: a resolved [`Stack`] in, text out.
//!
//! What it draws: users; the custom domains (inside their DNS zone when the stack
//! manages one) and Edge Services in front of sites; services with their scale, memory
//! and vCPU (inside the private network when there is one); sites; buckets; the
//! container registry and the images it serves; the external PostgreSQL database the
//! `postgres=` secrets point at; the Serverless SQL Databases and the jobs (migrations
//! included); links between services (WebSocket or HTTP, with the
//! env key that carries the URL); which service reads or writes which bucket; the
//! queues (and their dead-letter queues), who sends to or receives from each, and the
//! triggers that POST a queue's messages to a service (`consume`).

use crate::model::{Image, Service, Stack};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Kind {
    Users,
    Domain,
    Edge,
    Service,
    Site,
    Bucket,
    Registry,
    Database,
    Job,
    Queue,
}

struct Node {
    id: String,
    /// Lines of the label.
    label: Vec<String>,
    kind: Kind,
    /// The index of the group (subgraph) it is drawn in.
    group: Option<usize>,
}

struct Edge {
    from: String,
    to: String,
    label: String,
    dashed: bool,
}

/// The drawing, independent of the output format.
struct Graph {
    title: String,
    groups: Vec<(String, String)>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

impl Graph {
    /// Adds a node drawn outside every group.
    fn node(&mut self, id: String, label: Vec<String>, kind: Kind) {
        self.nodes.push(Node {
            id,
            label,
            kind,
            group: None,
        });
    }
}

fn id(kind: &str, name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{kind}_{name}")
}

fn scale(s: &Service) -> String {
    let (min, max) = (s.min_scale(), s.max_scale());
    let scale = if s.singleton.is_some() {
        "singleton".to_string()
    } else if min == max {
        format!("scale {min}")
    } else {
        format!("scale {min}-{max}")
    };
    format!("{scale}, {} MB, {} mvCPU", s.memory.value, s.cpu())
}

fn build(stack: &Stack) -> Graph {
    let mut g = Graph {
        title: format!(
            "{} ({}, region {})",
            stack.prefix(),
            stack.env.value,
            stack.region.value
        ),
        groups: Vec::new(),
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    let edge = |g: &mut Graph, from: &str, to: &str, label: &str, dashed: bool| {
        g.edges.push(Edge {
            from: from.into(),
            to: to.into(),
            label: label.into(),
            dashed,
        });
    };
    g.node("users".into(), vec!["users".into()], Kind::Users);
    // Domains, in their zone when the stack manages it.
    let zone = stack.dns.as_ref().map(|z| {
        g.groups
            .push(("zone".into(), format!("DNS zone {}", z.value)));
        g.groups.len() - 1
    });
    let site_domains = stack.domains.iter().any(|d| d.site.is_some());
    if site_domains {
        g.node(
            "edge_services".into(),
            vec![
                "Edge Services".into(),
                format!("plan {}", stack.edge_plan()),
            ],
            Kind::Edge,
        );
    }
    for d in &stack.domains {
        let node = id("domain", &d.host.value);
        g.nodes.push(Node {
            id: node.clone(),
            label: vec![d.host.value.clone()],
            kind: Kind::Domain,
            group: zone,
        });
        edge(&mut g, "users", &node, "HTTPS", false);
        if let Some(service) = &d.service {
            edge(&mut g, &node, &id("service", &service.value), "", false);
        }
        if let Some(site) = &d.site {
            edge(
                &mut g,
                &node,
                "edge_services",
                if d.waf { "WAF" } else { "" },
                false,
            );
            edge(&mut g, "edge_services", &id("site", &site.value), "", false);
        }
    }
    // Services, in the private network when there is one.
    let network = stack.network.declared.then(|| {
        g.groups.push((
            "network".into(),
            format!("private network {}", stack.network.subnet.value),
        ));
        g.groups.len() - 1
    });
    for s in &stack.services {
        let node = id("service", &s.name.value);
        let mut label = vec![format!("service {}", s.name.value), scale(s)];
        if s.private {
            label.push("private".into());
        }
        g.nodes.push(Node {
            id: node.clone(),
            label,
            kind: Kind::Service,
            group: network,
        });
        let has_domain = stack
            .domains
            .iter()
            .any(|d| d.service.as_ref().is_some_and(|n| n.value == s.name.value));
        if !s.private && !has_domain {
            edge(&mut g, "users", &node, "HTTPS endpoint", false);
        }
    }
    for site in &stack.sites {
        let node = id("site", &site.name.value);
        let mut label = vec![format!("site {}", site.name.value)];
        if site.spa {
            label.push("single-page app".into());
        }
        g.node(node.clone(), label, Kind::Site);
        let has_domain = stack
            .domains
            .iter()
            .any(|d| d.site.as_ref().is_some_and(|n| n.value == site.name.value));
        if !has_domain {
            edge(&mut g, "users", &node, "bucket website", false);
        }
    }
    for b in &stack.buckets {
        let mut label = vec![format!("bucket {}", b.name.value)];
        if b.public {
            label.push("public read".into());
        }
        g.node(id("bucket", &b.name.value), label, Kind::Bucket);
    }
    if stack.registry.declared || stack.builds_images() {
        g.node(
            "registry".into(),
            vec![
                "Container Registry".into(),
                if stack.registry.public {
                    "public"
                } else {
                    "private"
                }
                .into(),
            ],
            Kind::Registry,
        );
    }
    let postgres: Vec<_> = stack
        .secrets
        .iter()
        .filter(|s| s.postgres.is_some())
        .collect();
    if !postgres.is_empty() {
        g.node(
            "postgres".into(),
            vec!["PostgreSQL".into(), "external".into()],
            Kind::Database,
        );
    }
    // Serverless SQL Databases, and the jobs (migrations included) with their schedule.
    for db in &stack.databases {
        g.node(
            id("database", &db.name.value),
            vec![
                format!("database {}", db.name.value),
                format!(
                    "Serverless SQL, {}-{} vCPU",
                    db.min_cpu.value, db.max_cpu.value
                ),
            ],
            Kind::Database,
        );
    }
    // Managed Database for Redis clusters, in the private network.
    for r in &stack.redis {
        g.node(
            id("redis", &r.name.value),
            vec![
                format!("redis {}", r.name.value),
                format!(
                    "{} x{} {}, TLS",
                    r.node_type.value, r.nodes.value, r.version.value
                ),
            ],
            Kind::Database,
        );
    }
    for j in &stack.jobs {
        let node = id("job", &j.name.value);
        g.node(
            node.clone(),
            vec![
                format!("job {}", j.name.value),
                j.schedule.as_ref().map_or("on demand".to_string(), |x| {
                    format!("{} {}", x.cron.value, x.timezone.value)
                }),
            ],
            Kind::Job,
        );
        match &j.image {
            crate::model::JobImage::Build { .. } => {
                edge(&mut g, "registry", &node, &image_label(&j.build_args), true);
                for l in &j.build_args.links {
                    let label = format!("build arg {}", l.env.value);
                    edge(&mut g, &node, &id("service", &l.target.value), &label, true);
                }
            }
            crate::model::JobImage::Service(svc) => {
                edge(
                    &mut g,
                    &id("service", &svc.value),
                    &node,
                    "same image",
                    true,
                );
            }
            crate::model::JobImage::Ref(_) => {}
        }
        for r in &j.redis {
            edge(
                &mut g,
                &node,
                &id("redis", &r.redis.value),
                &r.env.value,
                false,
            );
        }
    }
    for s in stack.services.iter().filter(|s| s.migrate.is_some()) {
        let node = id("job", &format!("{}-migrate", s.name.value));
        g.node(
            node.clone(),
            vec![
                format!("job {}-migrate", s.name.value),
                "before each deploy".into(),
            ],
            Kind::Job,
        );
        edge(
            &mut g,
            &id("service", &s.name.value),
            &node,
            "migration",
            true,
        );
    }
    // Queues, their dead-letter queues, and who sends, receives or consumes.
    for q in &stack.queues {
        let node = id("queue", &q.name.value);
        let mut label = vec![format!("queue {}", q.name.value)];
        label.push(if q.fifo { "FIFO" } else { "standard" }.into());
        g.node(node.clone(), label, Kind::Queue);
        if let Some(n) = &q.dead_letter {
            let dead = id("queue", &format!("{}-dead", q.name.value));
            g.node(
                dead.clone(),
                vec![
                    format!("queue {}-dead", q.name.value),
                    "dead letters".into(),
                ],
                Kind::Queue,
            );
            edge(
                &mut g,
                &node,
                &dead,
                &format!("after {} receives", n.value),
                true,
            );
        }
    }
    let users = stack
        .services
        .iter()
        .map(|s| (id("service", &s.name.value), &s.queues))
        .chain(
            stack
                .jobs
                .iter()
                .map(|j| (id("job", &j.name.value), &j.queues)),
        );
    for (node, queues) in users {
        for u in queues {
            let queue = id("queue", &u.queue.value);
            if u.access.value == "receive" {
                edge(
                    &mut g,
                    &queue,
                    &node,
                    &format!("receive {}", u.env.value),
                    false,
                );
            } else {
                edge(
                    &mut g,
                    &node,
                    &queue,
                    &format!("send {}", u.env.value),
                    false,
                );
            }
        }
    }
    for s in &stack.services {
        for c in &s.consumes {
            edge(
                &mut g,
                &id("queue", &c.queue.value),
                &id("service", &s.name.value),
                &format!("trigger POST {}", c.path.value),
                false,
            );
        }
    }
    // What each service uses.
    for s in &stack.services {
        let node = id("service", &s.name.value);
        for l in &s.links {
            let websocket = l.url.value.starts_with("ws://") || l.url.value.starts_with("wss://");
            let protocol = if websocket { "WebSocket" } else { "HTTP" };
            let label = format!("{protocol} {}", l.env.value);
            edge(
                &mut g,
                &node,
                &id("service", &l.target.value),
                &label,
                false,
            );
        }
        for b in &s.buckets {
            let label = b.access.value.clone();
            edge(&mut g, &node, &id("bucket", &b.bucket.value), &label, false);
        }
        for d in &s.databases {
            edge(
                &mut g,
                &node,
                &id("database", &d.database.value),
                &d.env.value,
                false,
            );
        }
        for r in &s.redis {
            edge(
                &mut g,
                &node,
                &id("redis", &r.redis.value),
                &r.env.value,
                false,
            );
        }
        let mut kinds: Vec<&str> = Vec::new();
        for e in &s.secret_env {
            let kind = postgres
                .iter()
                .find(|p| p.name.value == e.secret.value)
                .and_then(|p| p.postgres.as_ref());
            if let Some(k) = kind {
                if !kinds.contains(&k.value.as_str()) {
                    kinds.push(&k.value);
                }
            }
        }
        if !kinds.is_empty() {
            edge(&mut g, &node, "postgres", &kinds.join(", "), false);
        }
        if matches!(s.image, Image::Build { .. }) {
            edge(&mut g, "registry", &node, &image_label(&s.build_args), true);
            // A build argument holds the target's URL: the image depends on it.
            for l in &s.build_args.links {
                let label = format!("build arg {}", l.env.value);
                edge(&mut g, &node, &id("service", &l.target.value), &label, true);
            }
        }
    }
    g
}

/// `image`, or `image, build args A, B` (the names only: values stay in the stack).
fn image_label(b: &crate::model::BuildArgs) -> String {
    let keys: Vec<&str> = b
        .args
        .iter()
        .map(|a| a.key.value.as_str())
        .chain(b.links.iter().map(|l| l.env.value.as_str()))
        .collect();
    if keys.is_empty() {
        "image".to_string()
    } else {
        format!("image, build args {}", keys.join(" "))
    }
}

/// Mermaid's text in a quoted label: `"` and the characters it reads as markup.
fn mermaid_text(s: &str) -> String {
    // A line break would end the statement and start another (issue 22): none gets in.
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    s.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn mermaid(g: &Graph) -> String {
    let mut out = format!(
        "---\ntitle: {}\n---\nflowchart LR\n",
        mermaid_text(&g.title)
    );
    let node_line = |n: &Node, indent: &str| {
        let label = n
            .label
            .iter()
            .map(|l| mermaid_text(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        let (open, close) = match n.kind {
            Kind::Users => ("((", "))"),
            Kind::Domain => ("{{", "}}"),
            Kind::Edge => ("[/", "/]"),
            Kind::Service => ("[", "]"),
            Kind::Site => ("([", "])"),
            Kind::Bucket | Kind::Database => ("[(", ")]"),
            Kind::Registry => ("[[", "]]"),
            Kind::Job => ("[/", "\\]"),
            Kind::Queue => (">", "]"),
        };
        format!("{indent}{}{open}\"{label}\"{close}\n", n.id)
    };
    for (i, (gid, label)) in g.groups.iter().enumerate() {
        out.push_str(&format!(
            "    subgraph {gid}[\"{}\"]\n",
            mermaid_text(label)
        ));
        for n in g.nodes.iter().filter(|n| n.group == Some(i)) {
            out.push_str(&node_line(n, "        "));
        }
        out.push_str("    end\n");
    }
    for n in g.nodes.iter().filter(|n| n.group.is_none()) {
        out.push_str(&node_line(n, "    "));
    }
    for e in &g.edges {
        let arrow = if e.dashed { "-.->" } else { "-->" };
        if e.label.is_empty() {
            out.push_str(&format!("    {} {arrow} {}\n", e.from, e.to));
        } else {
            out.push_str(&format!(
                "    {} {arrow}|\"{}\"| {}\n",
                e.from,
                mermaid_text(&e.label),
                e.to
            ));
        }
    }
    out
}

/// A DOT quoted string's content.
fn dot_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

fn dot(g: &Graph) -> String {
    let mut out = format!(
        "digraph \"{}\" {{\n    label=\"{}\";\n    labelloc=t;\n    fontname=\"Helvetica\";\n    rankdir=LR;\n    \
         node [shape=box, fontname=\"Helvetica\"];\n    edge [fontname=\"Helvetica\", fontsize=10];\n",
        dot_text(&g.title),
        dot_text(&g.title)
    );
    let node_line = |n: &Node, indent: &str| {
        let label = n
            .label
            .iter()
            .map(|l| dot_text(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let shape = match n.kind {
            Kind::Users => "ellipse",
            Kind::Domain => "hexagon",
            Kind::Edge => "parallelogram",
            Kind::Service => "box",
            Kind::Site => "component",
            Kind::Bucket | Kind::Database => "cylinder",
            Kind::Registry => "box3d",
            Kind::Job => "trapezium",
            Kind::Queue => "cds",
        };
        format!("{indent}{} [label=\"{label}\", shape={shape}];\n", n.id)
    };
    for (i, (gid, label)) in g.groups.iter().enumerate() {
        out.push_str(&format!(
            "    subgraph cluster_{gid} {{\n        label=\"{}\";\n        style=dashed;\n",
            dot_text(label)
        ));
        for n in g.nodes.iter().filter(|n| n.group == Some(i)) {
            out.push_str(&node_line(n, "        "));
        }
        out.push_str("    }\n");
    }
    for n in g.nodes.iter().filter(|n| n.group.is_none()) {
        out.push_str(&node_line(n, "    "));
    }
    for e in &g.edges {
        let mut attrs = Vec::new();
        if !e.label.is_empty() {
            attrs.push(format!("label=\"{}\"", dot_text(&e.label)));
        }
        if e.dashed {
            attrs.push("style=dashed, color=gray50, fontcolor=gray50".to_string());
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        out.push_str(&format!("    {} -> {}{attrs};\n", e.from, e.to));
    }
    out.push_str("}\n");
    out
}

/// One environment's architecture in the given format.
pub fn graph(stack: &Stack, format: GraphFormat) -> String {
    let g = build(stack);
    match format {
        GraphFormat::Mermaid => mermaid(&g),
        GraphFormat::Dot => dot(&g),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 23: queues, their dead-letter queues, senders, receivers and triggers.
    #[test]
    fn queues_and_triggers() {
        let text = "stack s\nqueue orders dead-letter=3 visibility-timeout=\"5m\"\nservice web {\n    port 8080\n    queue orders access=send\n}\nservice worker {\n    port 8080\n    consume orders path=\"/jobs\"\n}\njob report {\n    image ref=\"r/x:1\"\n    queue orders access=receive env=Q\n}\n";
        let checked = crate::check(text);
        let stack = &checked.envs[0];
        let out = graph(stack, GraphFormat::Mermaid);
        for want in [
            "queue_orders>\"queue orders<br/>standard\"]",
            "queue_orders -.->|\"after 3 receives\"| queue_orders_dead",
            "service_web -->|\"send QUEUE_URL_ORDERS\"| queue_orders",
            "queue_orders -->|\"trigger POST /jobs\"| service_worker",
            "queue_orders -->|\"receive Q\"| job_report",
        ] {
            assert!(out.contains(want), "{want} not in:\n{out}");
        }
        let dot = graph(stack, GraphFormat::Dot);
        assert!(dot.contains("shape=cds"), "{dot}");
    }

    /// Issue 22, class 8: jobs, migrations and databases are drawn; no label can start a
    /// statement of its own.
    #[test]
    fn jobs_databases_and_safe_labels() {
        let text = "stack s\ndatabase main\njob nightly {\n    image service=web\n    schedule \"0 3 * * *\"\n}\nservice web {\n    port 8080\n    database main env=\"DB\\nclick web call x()\"\n    migrate \"m\"\n}\n";
        let checked = crate::check(text);
        let stack = &checked.envs[0];
        for format in [GraphFormat::Mermaid, GraphFormat::Dot] {
            let out = graph(stack, format);
            assert!(
                out.contains("job nightly") && out.contains("job web-migrate"),
                "{out}"
            );
            assert!(out.contains("database main"), "{out}");
            assert!(
                !out.lines().any(|l| l.trim_start().starts_with("click")),
                "{out}"
            );
        }
    }

    /// Issue 23: a Redis cluster is drawn, with the edge of each service that uses it.
    #[test]
    fn redis_is_drawn() {
        let text = "stack s\nnetwork\nsecret pw\nredis cache password=pw\nservice web {\n    port 8080\n    redis cache env=CACHE\n}\n";
        let checked = crate::check(text);
        let stack = &checked.envs[0];
        let out = graph(stack, GraphFormat::Mermaid);
        assert!(out.contains("redis cache"), "{out}");
        assert!(out.contains("RED1-MICRO x1 7.0.5, TLS"), "{out}");
        assert!(out.contains("CACHE"), "{out}");
    }
}
