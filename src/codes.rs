//! Every diagnostic code, with what `cellac explain CODE` says about it.

pub struct Code {
    pub code: &'static str,
    pub severity: &'static str,
    /// As written: a limit is a `{limit:NAME}` placeholder ([`crate::limits`]), so a
    /// range is declared once. Read it through [`Code::summary`].
    pub summary: &'static str,
    pub example: &'static str,
    pub fix: &'static str,
}

macro_rules! codes {
    ($( $code:literal, $sev:literal, $summary:literal, $example:literal, $fix:literal; )*) => {
        pub const CODES: &[Code] = &[ $( Code { code: $code, severity: $sev, summary: $summary, example: $example, fix: $fix } ),* ];
    };
}

codes! {
    "cellac::syntax", "error", "The file is not valid KDL v2. Every syntax error the parser can recover is reported.",
        "service backend {\n    port 4000\n", "Close every `{` and quote; KDL v2 writes booleans `#true`/`#false`.";
    "cellac::syntax::depth", "error", "Blocks nested more than 64 levels deep, or more than 64 slashdashes (`/-`) in a row: refused before parsing.",
        "a { a { a { ...65 times", "Close every `{` with its `}`; a stack file needs a few levels of blocks. Keep one `/-` per commented-out item.";
    "cellac::syntax::number", "error", "An integer too large to read: beyond ±170141183460469231731687303715884105727 (the other errors of the file are still reported).",
        "service backend {\n    memory 999999999999999999999999999999999999999999\n}", "Write a number in the range its property accepts.";
    "cellac::schema::unknown-node", "error", "A node name that is not part of the language where it is written, or children under a node that takes none.",
        "service backend {\n    prot 4000\n}", "Use one of the names listed in the help (the nearest is suggested), e.g. `port 4000`.";
    "cellac::schema::unknown-property", "error", "A property the node does not have.",
        "service backend {\n    scale minimum=1\n}", "Use one of the node's properties, e.g. `scale min=1`.";
    "cellac::schema::missing-argument", "error", "A node without an argument or property it needs.",
        "service {\n    port 4000\n}", "Write the missing value, e.g. `service backend { ... }`.";
    "cellac::schema::extra-argument", "error", "More arguments than the node takes (or a `var` value outside an environment).",
        "service backend {\n    port 4000 4001\n}", "Remove the extra value; a flag such as `spa` takes none.";
    "cellac::schema::wrong-type", "error", "A value of the wrong type, or a type annotation other than `(var)` where a variable is allowed.",
        "service backend {\n    port \"4000\"\n}", "Write the type the help names: `port 4000`, `public=#true`.";
    "cellac::schema::unknown-value", "error", "A value outside a closed list (protocol, postgres, format, platform, each of CORS `methods`).",
        "service backend {\n    protocol http2\n}", "Use one of the accepted values, e.g. `protocol h2c`.";
    "cellac::schema::range", "error", "An integer outside the range its property accepts: `min-length` {limit:secret.value}, `failures` 1..100, `max-age` 0..86400, `retention-days` 1..365 (ports, memory, cpu, scale and timeout have their own codes).",
        "secret cookie_secret min-length=-5", "Write a value within the range the message gives.";
    "cellac::schema::duplicate", "error", "The same node declared twice, or the same property set twice on one node.",
        "service backend\nservice backend", "Merge the two declarations into one.";
    "cellac::schema::missing-node", "error", "The file has no `stack` node.",
        "service backend", "Start the file with `stack NAME region=fr-par`.";
    "cellac::schema::stack-first", "error", "`stack` is not the first node.",
        "service backend\nstack cella", "Move `stack` to the top of the file.";
    "cellac::name::invalid", "error", "A name with characters Scaleway does not allow, as written or once prefixed with the environment and stack.",
        "stack cella\nservice Backend", "Use lowercase letters, digits and `-` (and `_` for secrets and vars), starting with a letter.";
    "cellac::name::too-long", "error", "A generated name (ENV-STACK-NAME) longer than Scaleway allows: containers 34, namespaces 50, buckets 63.",
        "stack cella\nservice a-service-with-a-very-long-name", "Shorten the stack or resource name by the number of characters the help gives.";
    "cellac::name::collision", "error", "Two things that get one generated name: environments whose registry namespaces are one (`prod-1`, `prod1`), a site and a bucket with one bucket name, two stored secrets with one Secret Manager name (`api_key`, `api-key`).",
        "secret api_key\nsecret api-key", "Rename one of the two so that their generated names differ.";
    "cellac::name::reserved", "error", "A `var` or `secret` whose name the generated configuration or Terraform already uses (environment, services, names, count, ...), or a var and a secret with the same name.",
        "var services default=\"x\"", "Rename it, e.g. `var app_services`.";
    "cellac::region", "error", "A region or zone where the Scaleway products used here are not offered.",
        "stack cella region=us-east", "Use fr-par, nl-ams or pl-waw, and a zone of that region (REGION-1..3).";
    "cellac::port::range", "error", "A port outside 1..65535.",
        "service backend {\n    port 70000\n}", "Write the port the container listens on, e.g. `port 8080`.";
    "cellac::port::reserved", "error", "A port Serverless Containers reserve: 8008 8012 8013 8022 9090 9091.",
        "service backend {\n    port 9090\n}", "Listen on another port, such as 8080.";
    "cellac::env::reserved", "error", "`PORT` or an `SCW_*` key in `env` or `secret-env`: Scaleway sets them.",
        "service backend {\n    env PORT=4000\n}", "Remove the key; the container receives PORT from `port`.";
    "cellac::env::duplicate", "error", "The same key twice in one service or job: in `env` and `secret-env`, or set by one of them and a `link`, a `bucket`, the S3 keys a bucket brings or a `database`, or by two of those.",
        "service backend {\n    env MODE=a\n    env MODE=b\n}", "Keep one; in an environment, an override replaces the top level's value.";
    "cellac::env::too-long", "error", "An environment key over {limit:env.key.max} characters or a literal value over {limit:env.value.max}.",
        "service backend {\n    env KEY=\"...1001 characters...\"\n}", "Shorten the key or value; keep large data in a bucket.";
    "cellac::env::unknown-override", "error", "An environment overrides a service, site, bucket, secret or var the top level does not declare.",
        "environment prod {\n    service backnd { scale min=2; }\n}", "Fix the name (the nearest declared one is suggested) or declare it at the top level.";
    "cellac::override::shared", "error", "An environment gives a health check another path: scripts/health.sh checks one path in every environment. (An `image` and a site's `build`, `dist`, `cache` and `html-cache` may differ per environment and are honoured there.)",
        "service api {\n    health \"/health\"\n}\nenvironment prod {\n    service api { health \"/healthz\"; }\n}", "Write the path once at the top level (its `interval`, `failures`, `timeout` and `startup` may differ per environment).";
    "cellac::image::ref-args", "error", "Build arguments (`image { arg ...; link ... }`) on an image that nothing builds: a `ref=` image, or a job's `image service=`.",
        "service api {\n    image ref=\"rg.fr-par.scw.cloud/team/api:1.0\" {\n        arg MODE=prod\n    }\n}", "Remove the build arguments, or build the image (`image dockerfile=...`) to pass them.";
    "cellac::image::arg-key", "error", "A build argument whose name a Dockerfile's `ARG` cannot read: not a letter or `_` followed by letters, digits or `_`.",
        "service web {\n    image {\n        arg \"API-URL\"=\"https://api.example.com\"\n    }\n}", "Write the name as the Dockerfile's `ARG` does, e.g. `arg API_URL=...`.";
    "cellac::image::duplicate-arg", "error", "The same build argument set twice in one image (two `arg` lines, or an `arg` and a `link ... arg=`).",
        "service web {\n    image {\n        arg API_URL=\"https://a.example\"\n        link api arg=API_URL\n    }\n}", "Keep one of them.";
    "cellac::image::secret-arg", "warning", "A build argument named like a secret (SECRET, TOKEN, PASSWORD, KEY, ...): a build argument stays in the image's layers and history, readable by anyone who can pull the image.",
        "service web {\n    image {\n        arg STRIPE_SECRET_KEY=\"...\"\n    }\n}", "Pass a secret at run time with `secret-env`; rename the argument if it is not a secret.";
    "cellac::override::required", "error", "A node an environment adds (the top level has none to merge with) without a property it needs, e.g. `state` without `bucket=`.",
        "environment prod {\n    state region=nl-ams\n}", "Write the missing property in the environment, or declare the node at the top level.";
    "cellac::memory::tier", "error", "Memory that is not one of Scaleway's tiers.",
        "service backend {\n    memory 1000\n}", "Use a tier: {limit:memory.tiers} (the help names the nearest two).";
    "cellac::cpu::range", "error", "CPU outside {limit:cpu} mvCPU.",
        "service backend {\n    cpu 10000\n}", "Write a value in range, or remove `cpu` to use the memory tier's pair.";
    "cellac::cpu::mismatch", "warning", "CPU that is not the memory tier's pair ({limit:cpu.pairs}).",
        "service backend {\n    memory 1024\n    cpu 1000\n}", "Write the pair the help names, or remove `cpu`.";
    "cellac::scale::range", "error", "`min` outside {limit:scale.min}, `max` outside {limit:scale.max}, or `concurrency` outside {limit:scale.concurrency}.",
        "service backend {\n    scale max=100\n}", "Write values within the bounds.";
    "cellac::scale::order", "error", "`min` above `max`.",
        "service backend {\n    scale min=5 max=2\n}", "Raise `max` or lower `min`.";
    "cellac::scale::singleton", "error", "A `singleton` service given a `scale` other than min=1 max=1, at the top level or in an environment.",
        "service cdc {\n    singleton\n    scale max=3\n}", "Remove the `scale`: a singleton always runs exactly one instance.";
    "cellac::secret::undeclared", "error", "`secret-env` names a secret that is not declared.",
        "service backend {\n    secret-env DATABASE_URL=databse_url\n}", "Fix the name or declare `secret NAME`.";
    "cellac::secret::unused", "warning", "A declared secret that no service uses.",
        "secret legacy_token", "Use it with `secret-env KEY=NAME` or remove it.";
    "cellac::secret::inline", "error", "A secret value written in the stack file: after `secret NAME`, or where `secret-env` names a secret (anything but a name, or what looks like a credential). Never shown in any report.",
        "secret cookie_secret \"hunter2...\"\nservice api {\n    secret-env STRIPE_KEY=\"sk_live_...\"\n}", "Remove the value (and rotate it); put it in secrets.auto.tfvars or TF_VAR_NAME.";
    "cellac::secret::literal", "warning", "What looks like a credential (a URL with a password, a known key prefix such as sk_live_, ghp_, AKIA or SCW, a random-looking value under a key named like SECRET, TOKEN, KEY or PASSWORD) in a `var` default, an environment's var value, `env`, or any other string of the stack (a command, a health path, a build argument, a URL), whole or inside it. Never shown in any report.",
        "service api {\n    env DATABASE_URL=\"postgres://app:hunter2@db/app\"\n}", "Rotate it, declare `secret NAME`, pass it with `secret-env KEY=NAME` and keep its value in secrets.auto.tfvars or TF_VAR_NAME.";
    "cellac::var::undeclared", "error", "A `(var)` reference to a variable that is not declared.",
        "service backend {\n    env ADMIN=(var)admin_mail\n}", "Fix the name or declare `var NAME`.";
    "cellac::var::missing", "error", "A variable with no default and no value in some environment (the message names them).",
        "var admin_email\nenvironment prod { }", "Give it `default=...`, or write `var NAME \"value\"` in each environment.";
    "cellac::var::value-and-default", "error", "A `var` given both a value and a `default=` in one environment: the value wins, so the default would be ignored.",
        "var log_level\nenvironment prod {\n    var log_level \"warn\" default=\"info\"\n}", "Keep the value in the environment; write `default=` at the top level.";
    "cellac::var::format", "error", "A literal value that breaks its variable's `format` or `pattern` (or a pattern that is not a regular expression).",
        "var admin_email format=email default=\"admin\"", "Write a value of the required form.";
    "cellac::redis::unknown", "error", "A service's `redis NAME` names no declared `redis`.",
        "redis cache password=redis_password\nservice api {\n    redis cahce env=REDIS_URL\n}", "Use the name of a declared `redis` (the nearest is suggested), or declare it.";
    "cellac::redis::network", "error", "A `redis` in an environment without `network`: the cluster is only reachable in the stack's private network.",
        "stack demo\nredis cache password=redis_password", "Add `network` at the top level: the containers join it and reach the cluster there.";
    "cellac::redis::nodes", "error", "`nodes=2` on a `redis`: Scaleway runs 1 node (standalone) or 3 to 6 (cluster mode); outside 1..6 is `cellac::schema::range`.",
        "redis cache nodes=2 password=redis_password", "Write `nodes=1` or `nodes=3` to `nodes=6`.";
    "cellac::redis::password", "error", "A `redis` whose `password=` names no declared secret. The secret must be 8 to 128 characters with a digit, an uppercase and a lowercase letter and a special character (Scaleway's rule); cellac raises its `min-length` to 8.",
        "redis cache password=redis_pasword\nsecret redis_password", "Name a declared secret (the nearest is suggested), or declare `secret NAME`.";
    "cellac::redis::node-type", "warning", "A Redis `node-type=` that none of cellac's sources names (RED1-MICRO, RED1-XS, RED1-S: Scaleway's API quickstart and the provider 2.79.0's examples and tests).",
        "redis cache node-type=RED1-HUGE password=redis_password", "Check the node type against Scaleway's list (GET /redis/v1/zones/ZONE/node-types); a misspelt one fails at apply.";
    "cellac::redis::version", "warning", "A Redis `version=` that the provider 2.79.0's tests do not record as available (7.0.5, 6.2.7).",
        "redis cache version=\"5.0\" password=redis_password", "Check the version against Scaleway's list (GET /redis/v1/zones/ZONE/cluster-versions).";
    "cellac::service::disabled", "error", "Something needs a service in an environment where the service is `enabled=#false` (it does not exist there): a `link` to it (from a service, job or site), a `domain service=`, a job's `image service=`. The service's own `migrate` goes away with it.",
        "service worker\nservice web {\n    link worker env=WORKER_URL\n}\nenvironment staging {\n    service worker enabled=#false\n}", "Remove what needs the service in that environment (disable it there too), or enable the service.";
    "cellac::link::target", "error", "A `link` to a service that does not exist, or a link URL without `{host}` or `{url}`.",
        "service cdc {\n    link backnd env=API_URL\n}", "Link to a declared service; write url=\"wss://{host}/path\".";
    "cellac::link::private", "error", "A `link` to a private service, which callers outside its namespace cannot reach without a token.",
        "service api { private }\nservice web {\n    link api env=API_URL\n}", "Make the target public or remove the link.";
    "cellac::link::cycle", "error", "Services that link to each other, directly or through others (in any environments together): Terraform cannot create any of them first.",
        "service a {\n    link b env=B_URL\n}\nservice b {\n    link a env=A_URL\n}", "Remove one link; give one service a custom `domain` and pass its URL as an `env` value.";
    "cellac::timeout::range", "error", "A timeout outside {limit:timeout} seconds.",
        "service backend {\n    timeout 3600\n}", "Write a timeout between 1 and 900.";
    "cellac::health::path", "error", "A health path that does not start with `/`.",
        "service backend {\n    health \"health\"\n}", "Write `health \"/health\"`.";
    "cellac::duration", "error", "A malformed duration: digits then `s`, `m` or `h`.",
        "service backend {\n    health \"/health\" interval=10\n}", "Write a duration such as \"10s\" or \"2m\".";
    "cellac::migrate::timeout", "error", "A `migrate` timeout over 24 hours, the longest a Serverless Job may run.",
        "service api {\n    migrate \"npm run migrate\" timeout=\"48h\"\n}", "Write a timeout of at most \"24h\", such as `timeout=\"15m\"`.";
    "cellac::migrate::secret-store", "error", "A migration job reads a secret that `store=#false` keeps out of Secret Manager: jobs get secrets by Secret Manager reference, never by value.",
        "secret admin_url store=#false\nservice api {\n    migrate \"npm run migrate\" {\n        secret-env DATABASE_URL=admin_url\n    }\n}", "Remove `store=#false` from the secret.";
    "cellac::job::schedule", "error", "A `job` schedule that is not a 5-field cron expression (minute hour day-of-month month day-of-week), or a `timezone=` that is not an IANA time zone name such as Europe/Paris.",
        "job cleanup {\n    schedule \"0 3 * *\" timezone=\"Paris\"\n}", "Write 5 fields, such as `schedule \"0 3 * * *\" timezone=\"Europe/Paris\"`.";
    "cellac::job::image", "error", "A `job` whose `image service=NAME` names a service that is not declared, or a job that builds its image under the name of a service that builds its own.",
        "job cleanup {\n    image service=apii\n}", "Name a declared service, or build the job's own image with `image dockerfile=...`.";
    "cellac::job::name", "error", "A `job` named SERVICE-migrate, the name of that service's migration job: both would be the same job definition.",
        "service api {\n    migrate \"npm run migrate\"\n}\njob api-migrate {\n    image service=api\n}", "Give the job another name.";
    "cellac::job::timeout", "error", "A `job` timeout of 0 seconds, or over 24 hours, the longest a Serverless Job may run.",
        "job cleanup {\n    timeout \"48h\"\n}", "Write a timeout of at most \"24h\", such as `timeout \"15m\"` or `timeout 600` (seconds).";
    "cellac::job::command", "error", "A `job` `command` written as one string with spaces, the shell command jobs used to take: `command` is a list, as a service's (the program, then its arguments).",
        "job cleanup {\n    command \"python manage.py clearsessions\"\n}", "Write one string per word, `command \"python\" \"manage.py\" \"clearsessions\"` (the fix does it), or `command \"/bin/sh\" \"-c\" \"...\"` for a shell command.";
    "cellac::job::secret-store", "error", "A `job` reads a secret that `store=#false` keeps out of Secret Manager: jobs get secrets by Secret Manager reference, never by value.",
        "secret token store=#false\njob cleanup {\n    secret-env TOKEN=token\n}", "Remove `store=#false` from the secret.";
    "cellac::domain::target", "error", "A `domain` that points at nothing, at an unknown service or site, or at both.",
        "domain api.example.com", "Write `domain HOST service=NAME` or `domain HOST site=NAME`.";
    "cellac::domain::host", "error", "An invalid host name.",
        "domain \"API.example.com\" service=backend", "Write a lowercase host name such as api.example.com.";
    "cellac::domain::zone", "error", "A `domain` outside the environment's `dns` zone: its record cannot be created there.",
        "dns zone=example.com\ndomain api.example.org service=backend", "Use a host under the zone, or manage that domain's own zone.";
    "cellac::preview::too-long", "error", "In a preview template (`environment NAME preview=#true`), a generated name too long once the environment is `p` + the longest id (6 characters), such as `p123456-STACK-NAME`.",
        "stack a-long-stack-name\nservice backend-service\nenvironment preview preview=#true", "Shorten the stack or resource name by the number of characters the help gives.";
    "cellac::preview::several", "error", "Two or more environments with `preview=#true`: previews are deployed from one template.",
        "environment pa preview=#true\nenvironment pb preview=#true", "Keep `preview=#true` on one environment.";
    "cellac::preview::domain", "error", "A `domain` in a preview template without `{id}` in its host: every preview would claim the same host (a top-level domain applies to the template too).",
        "environment preview preview=#true {\n    domain preview.example.com site=web\n}", "Write the id in the host: `domain \"pr-{id}.example.com\" site=web`; move a top-level domain into the environment that owns it.";
    "cellac::load-balancer::containers", "error", "A `load-balancer` node: Scaleway load balancers route to IPs, and Serverless Containers have none.",
        "load-balancer", "Remove it; write `domain HOST service=NAME` for a custom domain.";
    "cellac::link::scheme", "error", "A link `url=` that does not begin with a scheme (`https://`, `wss://`) or `{url}`: `{host}` and `{domain}` are host names, so the app would get a relative URL.",
        "service web {\n    link api env=API_URL url=\"{domain}/v1\"\n}", "Write `url=\"https://{domain}/v1\"`, or `url=\"{url}/v1\"`.";
    "cellac::link::websocket-domain", "error", "A `ws://` or `wss://` link URL that uses `{domain}`: Scaleway's custom container domains do not carry WebSockets.",
        "link backend env=API_WS_URL url=\"wss://{domain}/ws\"", "Write `{host}`, the target's own endpoint, which carries WebSockets: `url=\"wss://{host}/ws\"`.";
    "cellac::project::shared", "error", "Two or more environments in one Scaleway Project each manage a project-scoped resource (Cockpit's alert manager, the Edge Services plan, the Queues (SQS) activation): each apply would overwrite the others', and destroying one environment turns it off for all.",
        "monitoring {\n    alerts email=\"ops@example.com\"\n}\nenvironment dev\nenvironment prod", "Write `project create=#true` (one project per environment), or give each environment its own `project id=\"...\"`.";
    "cellac::project::id", "error", "A `project id=` that is not a Scaleway Project id (a UUID).",
        "project id=\"my-project\"", "Copy the Project id from the console's Project settings.";
    "cellac::deployer::principal", "error", "A `deployer` that names no principal, or both an application and a user.",
        "deployer application=\"5b2f4f0e-3c1a-4d8e-9f6a-2a7c1e9d4b13\" user=\"0c7e0f51-7d0b-4a57-9a35-1f0b8f2e6d21\"", "Write one `deployer` per principal: `deployer application=\"UUID\"` or `deployer user=\"UUID\"`.";
    "cellac::deployer::id", "error", "A `deployer application=` or `user=` that is not an IAM id (a UUID).",
        "deployer application=\"ci\"", "Copy the id from the console (IAM, Applications or Users).";
    "cellac::deployer::duplicate", "warning", "The same principal declared twice as a `deployer` in one environment (an environment's deployers add to the top level's).",
        "deployer user=\"0c7e0f51-7d0b-4a57-9a35-1f0b8f2e6d21\"\nenvironment prod {\n    deployer user=\"0c7e0f51-7d0b-4a57-9a35-1f0b8f2e6d21\"\n}", "Remove one; a deployer written at the top level deploys every environment.";
    "cellac::deployer::implicit", "warning", "A site or bucket (each gets a bucket policy) and no `deployer`: the policies name only the key that runs Terraform, and a 2023-04-17 bucket policy denies everything it does not allow, so anyone else who deploys later (CI after a person, a second person) is locked out of those buckets.",
        "stack shop\nsite web", "Declare who deploys: `deployer application=\"UUID\"` for CI's IAM application, `deployer user=\"UUID\"` for each person.";
    "cellac::bucket::keys-unused", "warning", "`s3-keys` on a service that uses no bucket in any environment: no key is made, the names have no effect.",
        "service api {\n    s3-keys id=KEY secret=SECRET\n}", "Remove it, or give the service a bucket.";
    "cellac::bucket::access", "error", "A service's or job's `bucket NAME` names a bucket the stack does not declare.",
        "service api {\n    bucket uploads access=write\n}", "Declare `bucket uploads` at the top level, or fix the name (did-you-mean).";
    "cellac::bucket::expire", "error", "A bucket `expire` rule with `days` below 1, or two rules for one prefix.",
        "bucket exports {\n    expire days=0\n}", "Write `days=` 1 or more, and one `expire` per prefix.";
    "cellac::edge::unused", "warning", "An `edge plan=` where no site has a domain: no Edge Services pipeline is written, so the plan has no effect.",
        "edge plan=professional\nsite web {\n    build \"npm run build\"\n    dist \"dist\"\n}", "Remove it, or give a site a domain.";
    "cellac::edge::waf", "warning", "A `waf=#true` site domain on the `starter` Edge Services plan, which includes no WAF requests.",
        "edge plan=starter\ndomain example.com site=web waf=#true", "Write `edge plan=professional`, or remove `waf=#true`.";
    "cellac::value::cut", "error", "A bare value that KDL cuts at `//`: `env URL=https://x` is the string `https:` and a comment.",
        "service web {\n    env API_URL=https://api.example.com\n}", "Quote the whole value: `API_URL=\"https://api.example.com\"`.";
    "cellac::value::quote", "error", "A value in single quotes: KDL has none, and reads `'prod'` as a bare word with its quotes (and `'a b'` as two values).",
        "service web {\n    env MODE='prod'\n}", "Write double quotes: `MODE=\"prod\"`.";
    "cellac::conflict", "error", "Settings that contradict each other in one node: `public` with `private`, `image ref=` with `dockerfile=`, `context=` or `platform=`.",
        "service web {\n    public\n    private\n}", "Keep one of the two.";
    "cellac::network::subnet", "error", "A `network subnet=` that is not an IPv4 CIDR, has host bits set, or lies outside the private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16).",
        "network subnet=\"10.0.0.1/24\"", "Write the network address of a private range, such as 10.0.0.0/24.";
    "cellac::database::cpu", "error", "A Serverless SQL Database whose `min-cpu` is above its `max-cpu`, which Scaleway refuses.",
        "database main min-cpu=4 max-cpu=2", "Lower `min-cpu` or raise `max-cpu`.";
    "cellac::queue::unknown", "error", "A service's or job's `queue NAME`, or a service's `consume NAME`, names a queue the stack does not declare.",
        "service api {\n    queue emials access=send\n}", "Declare `queue emails` at the top level, or fix the name (did-you-mean).";
    "cellac::queue::limit", "error", "A queue's `retention` outside 1m..14d or `visibility-timeout` outside 0s..12h (what Scaleway accepts), or a value that is not a duration.",
        "queue emails retention=\"30d\"", "Write a duration within the limits, such as `retention=\"14d\"`.";
    "cellac::queue::name-length", "error", "A queue whose Scaleway name (`ENV-STACK-NAME`, `-dead` for its dead-letter queue, `.fifo` for a FIFO queue) is over 80 characters.",
        "queue a-very-long-queue-name-that-goes-on-and-on-and-on-and-on-and-on fifo=#true dead-letter=3", "Shorten the queue's, stack's or environment's name.";
    "cellac::queue::dead-name", "error", "A queue named like another queue's dead-letter queue (`orders-dead` beside `orders dead-letter=5`, both standard or both FIFO): they would be one Scaleway queue.",
        "queue orders dead-letter=5\nqueue orders-dead", "Rename the second queue.";
    "cellac::queue::batch", "error", "`consume QUEUE batch=N` with N other than 1: a Scaleway queue trigger delivers one message per request.",
        "consume orders batch=10", "Remove `batch=`; to handle messages in bulk, receive them with `queue NAME access=receive` in a `job`.";
    "cellac::queue::consumers", "error", "Two services `consume` the same queue: each message would reach one of them only.",
        "service a {\n    consume orders\n}\nservice b {\n    consume orders\n}", "Give each service a queue of its own.";
    "cellac::queue::receive-consumed", "warning", "A service that `consume`s a queue also has `queue NAME access=receive` on it: what it receives itself never reaches its trigger.",
        "service worker {\n    consume orders\n    queue orders access=receive\n}", "Keep `consume`, or use `access=send`.";
    "cellac::queue::visibility", "warning", "A consumed queue's `visibility-timeout` is shorter than the consuming service's `timeout`: a message still being handled is delivered again.",
        "queue orders visibility-timeout=\"30s\"\nservice worker {\n    timeout 300\n    consume orders\n}", "Set the queue's `visibility-timeout` to at least the service's timeout.";
    "cellac::queue::no-dead-letter", "warning", "A consumed queue with no `dead-letter=`: a message the service always fails on is delivered again until its retention ends.",
        "queue orders\nservice worker {\n    consume orders\n}", "Add `dead-letter=5`: after 5 failed deliveries the message moves to `orders-dead`.";
    "cellac::database::unknown", "error", "A service's or job's `database NAME` names a database the stack does not declare.",
        "service api {\n    database main\n}", "Declare `database main engine=serverless-sql` at the top level, or fix the name (did-you-mean).";
    "cellac::domain::shared", "error", "One host name attached in two or more environments: a top-level `domain` applies to every environment, and a host can belong to one container or pipeline only.",
        "domain api.example.com service=api\nenvironment dev\nenvironment prod", "Move the `domain` into the `environment` block that owns it.";
    "cellac::port::default", "warning", "A service with no `port` and no `health`: Scaleway sends HTTP to 8080, and a process that does not answer there fails its deploy.",
        "service worker {\n    image dockerfile=\"worker/Dockerfile\"\n}", "Write the port the process serves HTTP on (`port 8080`). A worker with no HTTP server of its own: `consume QUEUE` makes Scaleway POST each message of a queue to it (the serverless worker, scaled from zero), or make it a `job`.";
    "cellac::secret::per-environment", "error", "With `check --secrets-dir DIR`: an environment without its own value for a `per-environment=#true` secret in `DIR/secrets/ENV.tfvars`, or two environments' files holding the same value for it.",
        "secret signing_key per-environment=#true   # and no signing_key in secrets/prod.tfvars", "Give each environment its own value in `secrets/ENV.tfvars`.";
    "cellac::lsp::too-large", "warning", "A document larger than the editor checks (2 MiB): the language server publishes this instead of checking it at every keystroke; `cellac check` still checks it.",
        "(a 10 MB stack file open in an editor)", "Run `cellac check` on it; keep generated content out of the stack file.";
    "cellac::internal", "error", "cellac itself failed while checking the document (a bug): the language server reports it instead of crashing, and goes on serving.",
        "(any document that makes cellac panic)", "Report it with the document that causes it; the other documents keep being checked.";
    "cellac::secrets-file::syntax", "error", "A secrets file line that is not `name = \"value\"` (or JSON that is not an object of strings).",
        "database_url = postgres://...", "Quote the value: `database_url = \"postgres://...\"`.";
    "cellac::secrets-file::missing", "error", "A declared secret with no value in the secrets file (nor in TF_VAR_NAME).",
        "secret cookie_secret   # and no cookie_secret line in the file", "Add `NAME = \"...\"` to the secrets file.";
    "cellac::secrets-file::min-length", "error", "A secret value (in the secrets file or TF_VAR_NAME) shorter than its `min-length`.",
        "secret argon_secret min-length=32", "Generate a longer value, e.g. `openssl rand -hex 16`.";
    "cellac::secrets-file::too-long", "error", "A secret value over {limit:secret.value.max} characters, Scaleway's limit for container secrets.",
        "a 2 kB certificate as a secret", "Keep large values in a bucket.";
    "cellac::secrets-file::postgres", "error", "A `postgres=` secret that is not a PostgreSQL URL, uses the wrong endpoint kind, or has no sslmode.",
        "secret database_url postgres=pooled", "Paste Neon's pooled (host has -pooler) or direct connection string with ?sslmode=require.";
    "cellac::secrets-file::format", "error", "A `format=email` secret whose value is not an email address.",
        "secret alert_email format=email", "Write an address such as ops@example.com.";
    "cellac::secrets-file::empty", "error", "A secret whose value is empty, in the secrets file or in TF_VAR_NAME.",
        "cookie_secret = \"\"", "Write the value; Terraform refuses an empty secret.";
    "cellac::secrets-file::duplicate", "error", "The same key twice in a secrets file (Terraform refuses it).",
        "api_key = \"...\"\napi_key = \"...\"", "Keep one line for the key.";
    "cellac::secrets-file::interpolation", "error", "A `${` or `%{` in a secret's value: Terraform reads the value as a template.",
        "api_key = \"abc${def}\"", "Write `$${` (or `%%{`) for a literal `${`.";
    "cellac::secrets-file::escape", "error", "A backslash escape HCL does not know in a secrets file value (it knows \\n \\r \\t \\\" \\\\ \\uNNNN \\UNNNNNNNN).",
        "api_key = \"abc\\qdef\"", "Write `\\\\` for a backslash.";
    "cellac::secrets-file::unknown", "warning", "A key in the secrets file that no secret declares.",
        "databse_url = \"...\"", "Fix the name (the nearest is suggested) or remove the line.";
    "cellac::adopt::name", "error", "`cellac adopt`: a live bucket or registry namespace whose name is not the one the stack gives it in that environment; its name cannot change in place, so the first apply would replace it (and lose what it holds).",
        "bucket public-uploads   # live in dev as dev-cella-public-uploads-v2", "Keep the live name in that environment: `environment dev { bucket public-uploads name=\"dev-cella-public-uploads-v2\" }` (`cellac adopt --fix` writes it; `registry namespace=` for a namespace).";
    "cellac::adopt::project", "error", "`cellac adopt`: the live resources are in a project the environment would not use (`project create=#true` makes a new one, or another `id=`): `project_id` cannot change in place, so everything would be replaced.",
        "project create=#true   # dev runs in project 11111111-2222-3333-4444-555555555555", "Give the environment the live project: `environment dev { project id=\"11111111-2222-3333-4444-555555555555\" }` (`cellac adopt --fix` writes it).";
    "cellac::adopt::replaced", "error", "`cellac adopt`: a live resource that holds data would be replaced, and no edit of the stack can keep it: it lives in another region, or in a second project, or a setting that cannot change in place differs.",
        "stack cella region=nl-ams   # the live bucket is in fr-par", "Move the data yourself, or accept the replacement with `scripts/apply.sh ENV --allow-destroy ADDRESS`; the message names the reason.";
    "cellac::adopt::recreated", "warning", "`cellac adopt`: a live resource that holds no data (a container, a container namespace, a VPC) would be replaced: its name or region is not what the stack gives it. The deploy recreates it; its endpoint may change.",
        "service api   # live container dev-cella-backend-old", "Nothing to do if a new endpoint is fine; otherwise rename the service so that its generated name is the live one.";
    "cellac::adopt::forgotten", "warning", "`cellac adopt`: a live resource that holds data and that the stack does not manage (a secret, Cockpit): `adopt.tf.json` makes Terraform forget it (a `removed` block with `destroy = false`); it keeps running, outside Terraform.",
        "module.secrets.scaleway_secret.argon in the state, no stored secret of that name", "Delete it by hand once nothing reads it, or keep it; the stack's own secrets are created next to it.";
    "cellac::adopt::state", "error", "`cellac adopt --state FILE`: a file that is neither a raw Terraform state (format version 4) nor `terraform show -json` output, or that cannot be read (exit 2). Nothing of its text is shown.",
        "cellac adopt --env dev --state plan.out", "Give `terraform state pull > dev.tfstate` (or `terraform show -json > dev.json`) of the environment's state.";
    "cellac::io::read", "error", "A stack or secrets file that cannot be read: missing, a folder, or not readable (exit 2).",
        "cellac check nope.kdl", "Check the path; `-` reads the stack from standard input.";
    "cellac::io::encoding", "error", "A file that is not UTF-8 text; the message names the line and the byte (exit 2).",
        "a stack.kdl saved as Latin-1 with `é` in a comment", "Save the file as UTF-8.";
    "cellac::io::output", "error", "An output folder (`-o`) that is a file, or that cannot be created (exit 2).",
        "cellac build -o stack.kdl", "Name a folder you can write to.";
    "cellac::io::edited", "error", "Generated files edited by hand since the last build: the build refuses to overwrite them.",
        "a change made in infra/main.tf.json", "Move the change into the stack file, or run with --force.";
    "cellac::io::foreign", "error", "Files cellac did not generate where a build would write: never overwritten, even with --force.",
        "your own infra/main.tf.json before the first build", "Move or rename them.";
    "cellac::io::link", "error", "A symbolic link on the way to a file the build would write, replace or remove: never followed.",
        "infra/scripts -> ../elsewhere", "Replace the link with a real folder, or build into another folder.";
    "cellac::io::locked", "error", "Another cellac is writing the output folder; this one waited CELLAC_LOCK_TIMEOUT seconds (30).",
        "two `cellac build` at once into infra", "Run again once the other has finished.";
    "cellac::io::write", "error", "The output folder could not be written (permissions, a full disk) (exit 2).",
        "cellac build -o /read-only/infra", "Build into a folder you can write to.";
    "cellac::io::usage", "error", "A command line cellac does not understand, or an `--env` the stack does not declare (exit 2).",
        "cellac build --env prdo", "Run `cellac help`; use an environment the stack declares.";
}

impl Code {
    /// What the code means, with its limits' values filled in.
    pub fn summary(&self) -> std::borrow::Cow<'static, str> {
        crate::limits::expand(self.summary)
    }

    /// How to fix it, with its limits' values filled in.
    pub fn fix(&self) -> std::borrow::Cow<'static, str> {
        crate::limits::expand(self.fix)
    }
}

pub fn find(code: &str) -> Option<&'static Code> {
    let code = code.trim();
    CODES
        .iter()
        .find(|c| c.code == code || c.code.strip_prefix("cellac::") == Some(code))
}

/// What `cellac explain CODE` prints.
pub fn explain(c: &Code) -> String {
    let example = c
        .example
        .lines()
        .map(|l| format!("    {l}\n"))
        .collect::<String>();
    format!(
        "{} ({})\n\n{}\n\nExample that triggers it:\n\n{}\nFix: {}\n",
        c.code,
        c.severity,
        c.summary(),
        example,
        c.fix()
    )
}
