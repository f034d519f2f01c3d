//! Offline stand-in for the `scaleway/scaleway` Terraform provider.
//!
//! It speaks plugin protocol 6 (go-plugin over gRPC, without TLS: Terraform
//! must run with `TF_DISABLE_PLUGIN_TLS=1`), serves the real provider's schema
//! from a `terraform providers schema -json` dump and answers well enough for
//! `terraform validate` and `terraform plan`. It never talks to Scaleway.
//!
//! The schema dump is read from `$STUB_PROVIDER_SCHEMA`, by default from the
//! workspace's `schema/scaleway.json`.

mod behaviour;
mod schema;
mod values;

mod proto {
    #![allow(clippy::all, dead_code)]
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}

use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use rmpv::Value;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use behaviour::{Behaviour, World};
use proto::plugin;
use proto::tfplugin6 as tf;
use schema::{ProviderSchema, Schema};

const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

fn default_schema_path() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/scaleway.json").to_string()
}

fn error(summary: impl Into<String>, detail: impl Into<String>) -> tf::Diagnostic {
    tf::Diagnostic {
        severity: tf::diagnostic::Severity::Error as i32,
        summary: summary.into(),
        detail: detail.into(),
        attribute: None,
    }
}

struct StubProvider {
    schema: Arc<ProviderSchema>,
    behaviour: Arc<Behaviour>,
    world: Mutex<World>,
}

impl StubProvider {
    fn world(&self) -> World {
        match self.world.lock() {
            Ok(w) => w.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
    fn ctx(&self, type_name: &str, obj: &Value) -> values::Ctx {
        let w = self.world();
        values::Ctx::for_object(type_name, obj, &w.region, &w.default_project)
    }
    fn resource(&self, type_name: &str) -> Result<&Schema, tf::Diagnostic> {
        self.schema.resources.get(type_name).ok_or_else(|| {
            error(
                "Unknown resource type",
                format!("The stand-in provider has no schema for resource type {type_name:?}."),
            )
        })
    }
    fn data_source(&self, type_name: &str) -> Result<&Schema, tf::Diagnostic> {
        self.schema.data_sources.get(type_name).ok_or_else(|| {
            error(
                "Unknown data source",
                format!("The stand-in provider has no schema for data source {type_name:?}."),
            )
        })
    }
    fn capabilities() -> tf::ServerCapabilities {
        tf::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: false,
            move_resource_state: false,
        }
    }
}

fn decode_or_diag(dv: Option<&tf::DynamicValue>, diags: &mut Vec<tf::Diagnostic>) -> Option<Value> {
    match values::decode(dv) {
        Ok(v) => Some(v),
        Err(e) => {
            diags.push(error("Invalid value from Terraform", e));
            None
        }
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl tf::provider_server::Provider for StubProvider {
    async fn get_metadata(
        &self,
        _req: Request<tf::get_metadata::Request>,
    ) -> Result<Response<tf::get_metadata::Response>, Status> {
        use tf::get_metadata::{DataSourceMetadata, ResourceMetadata};
        Ok(Response::new(tf::get_metadata::Response {
            server_capabilities: Some(Self::capabilities()),
            diagnostics: vec![],
            data_sources: self
                .schema
                .data_sources
                .keys()
                .map(|k| DataSourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            resources: self
                .schema
                .resources
                .keys()
                .map(|k| ResourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            functions: vec![],
        }))
    }

    async fn get_provider_schema(
        &self,
        _req: Request<tf::get_provider_schema::Request>,
    ) -> Result<Response<tf::get_provider_schema::Response>, Status> {
        Ok(Response::new(tf::get_provider_schema::Response {
            provider: Some(self.schema.provider.to_proto()),
            resource_schemas: self
                .schema
                .resources
                .iter()
                .map(|(k, s)| (k.clone(), s.to_proto()))
                .collect(),
            data_source_schemas: self
                .schema
                .data_sources
                .iter()
                .map(|(k, s)| (k.clone(), s.to_proto()))
                .collect(),
            functions: Default::default(),
            diagnostics: vec![],
            provider_meta: None,
            server_capabilities: Some(Self::capabilities()),
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<tf::validate_provider_config::Request>,
    ) -> Result<Response<tf::validate_provider_config::Response>, Status> {
        let mut diagnostics = vec![];
        if let Some(cfg) = decode_or_diag(req.get_ref().config.as_ref(), &mut diagnostics) {
            values::check_unconfigurable(
                &self.schema.provider.block,
                &cfg,
                &[],
                "",
                &mut diagnostics,
            );
        }
        Ok(Response::new(tf::validate_provider_config::Response {
            diagnostics,
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<tf::validate_resource_config::Request>,
    ) -> Result<Response<tf::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let mut diagnostics = vec![];
        match self.resource(&req.type_name) {
            Err(d) => diagnostics.push(d),
            Ok(s) => {
                if let Some(cfg) = decode_or_diag(req.config.as_ref(), &mut diagnostics) {
                    values::check_unconfigurable(&s.block, &cfg, &[], "", &mut diagnostics);
                }
            }
        }
        Ok(Response::new(tf::validate_resource_config::Response {
            diagnostics,
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<tf::validate_data_resource_config::Request>,
    ) -> Result<Response<tf::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        let mut diagnostics = vec![];
        match self.data_source(&req.type_name) {
            Err(d) => diagnostics.push(d),
            Ok(s) => {
                if let Some(cfg) = decode_or_diag(req.config.as_ref(), &mut diagnostics) {
                    values::check_unconfigurable(&s.block, &cfg, &[], "", &mut diagnostics);
                }
            }
        }
        Ok(Response::new(tf::validate_data_resource_config::Response {
            diagnostics,
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<tf::upgrade_resource_state::Request>,
    ) -> Result<Response<tf::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let mut diagnostics = vec![];
        let mut upgraded_state = None;
        match self.resource(&req.type_name) {
            Err(d) => diagnostics.push(d),
            Ok(s) => {
                let raw = req.raw_state.map(|r| r.json).unwrap_or_default();
                match serde_json::from_slice::<serde_json::Value>(&raw) {
                    Ok(mut j) => {
                        // Keep only what the current schema knows about.
                        if let Some(obj) = j.as_object_mut() {
                            obj.retain(|k, _| {
                                s.block.attributes.contains_key(k)
                                    || s.block.block_types.contains_key(k)
                            });
                        }
                        upgraded_state = Some(tf::DynamicValue {
                            msgpack: vec![],
                            json: serde_json::to_vec(&j).expect("json serialises"),
                        });
                    }
                    Err(e) => diagnostics.push(error("Invalid prior state", e.to_string())),
                }
            }
        }
        Ok(Response::new(tf::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics,
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<tf::configure_provider::Request>,
    ) -> Result<Response<tf::configure_provider::Response>, Status> {
        let mut diagnostics = vec![];
        if let Some(cfg) = decode_or_diag(req.get_ref().config.as_ref(), &mut diagnostics) {
            if let Ok(mut w) = self.world.lock() {
                w.configure(&cfg);
            }
        }
        Ok(Response::new(tf::configure_provider::Response {
            diagnostics,
        }))
    }

    async fn read_resource(
        &self,
        req: Request<tf::read_resource::Request>,
    ) -> Result<Response<tf::read_resource::Response>, Status> {
        let req = req.into_inner();
        let mut diagnostics = vec![];
        // The state as recorded, with the rewrites of the provider's Read.
        let new_state = match decode_or_diag(req.current_state.as_ref(), &mut diagnostics) {
            Some(mut state) => {
                self.world().read_rewrite(&req.type_name, &mut state);
                Some(values::encode(&state))
            }
            None => req.current_state,
        };
        Ok(Response::new(tf::read_resource::Response {
            new_state,
            diagnostics,
            private: req.private,
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<tf::plan_resource_change::Request>,
    ) -> Result<Response<tf::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let mut diagnostics = vec![];
        let mut planned_state = None;
        let mut requires_replace = vec![];
        match self.resource(&req.type_name) {
            Err(d) => diagnostics.push(d),
            Ok(s) => {
                let prior = decode_or_diag(req.prior_state.as_ref(), &mut diagnostics);
                let proposed = decode_or_diag(req.proposed_new_state.as_ref(), &mut diagnostics);
                if let (Some(prior), Some(mut proposed)) = (prior, proposed) {
                    if proposed != Value::Nil {
                        if prior == Value::Nil {
                            values::plan_create(&s.block, &mut proposed);
                        } else {
                            values::null_write_only(&s.block, &mut proposed);
                            requires_replace = self.behaviour.plan_update(
                                &req.type_name,
                                &s.block,
                                &prior,
                                &mut proposed,
                            );
                        }
                    }
                    planned_state = Some(values::encode(&proposed));
                }
            }
        }
        Ok(Response::new(tf::plan_resource_change::Response {
            planned_state,
            requires_replace,
            planned_private: req.prior_private,
            diagnostics,
            legacy_type_system: true,
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<tf::apply_resource_change::Request>,
    ) -> Result<Response<tf::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let mut diagnostics = vec![];
        let mut new_state = None;
        match self.resource(&req.type_name) {
            Err(d) => diagnostics.push(d),
            Ok(s) => {
                let prior = decode_or_diag(req.prior_state.as_ref(), &mut diagnostics);
                let planned = decode_or_diag(req.planned_state.as_ref(), &mut diagnostics);
                let config = decode_or_diag(req.config.as_ref(), &mut diagnostics);
                if let (Some(prior), Some(mut planned), Some(config)) = (prior, planned, config) {
                    let world = self.world();
                    if planned != Value::Nil {
                        if req.type_name == "scaleway_secret_version"
                            && values::get(&planned, "revision").is_some_and(values::is_unknown)
                        {
                            let secret = values::get(&planned, "secret_id")
                                .and_then(Value::as_str)
                                .unwrap_or_default();
                            let next = world.next_secret_revision(secret);
                            values::set(&mut planned, "revision", Value::from(next.to_string()));
                        }
                        let ctx = self.ctx(&req.type_name, &planned);
                        values::fill(&s.block, &mut planned, false, &ctx);
                        // SDKv2's Create and Update end with Read.
                        world.read_rewrite(&req.type_name, &mut planned);
                    }
                    match world.record_apply(&req.type_name, &prior, &planned, &config) {
                        Ok(()) => new_state = Some(values::encode(&planned)),
                        Err(e) => {
                            diagnostics.push(error("Error deleting resource", e));
                            // Nothing changed: the prior object stays.
                            new_state = req.prior_state.clone();
                        }
                    }
                }
            }
        }
        Ok(Response::new(tf::apply_resource_change::Response {
            new_state,
            private: req.planned_private,
            diagnostics,
            legacy_type_system: true,
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<tf::import_resource_state::Request>,
    ) -> Result<Response<tf::import_resource_state::Response>, Status> {
        Ok(Response::new(tf::import_resource_state::Response {
            imported_resources: vec![],
            diagnostics: vec![error(
                "Import not supported",
                format!(
                    "The stand-in provider cannot import {}.",
                    req.get_ref().type_name
                ),
            )],
        }))
    }

    async fn move_resource_state(
        &self,
        _req: Request<tf::move_resource_state::Request>,
    ) -> Result<Response<tf::move_resource_state::Response>, Status> {
        Ok(Response::new(tf::move_resource_state::Response {
            target_state: None,
            diagnostics: vec![error(
                "Move not supported",
                "The stand-in provider cannot move resource state.",
            )],
            target_private: vec![],
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<tf::read_data_source::Request>,
    ) -> Result<Response<tf::read_data_source::Response>, Status> {
        let req = req.into_inner();
        let mut diagnostics = vec![];
        let mut state = None;
        match self.data_source(&req.type_name) {
            Err(d) => diagnostics.push(d),
            Ok(s) => {
                if let Some(mut cfg) = decode_or_diag(req.config.as_ref(), &mut diagnostics) {
                    let ctx = self.ctx(&req.type_name, &cfg);
                    // Before the computed values are filled in: whether a name was given.
                    if req.type_name == "scaleway_account_project" {
                        self.world().project_data_source(&mut cfg);
                    }
                    values::fill(&s.block, &mut cfg, true, &ctx);
                    if req.type_name == "scaleway_iam_api_key" {
                        self.world().api_key_data_source(&mut cfg);
                    }

                    state = Some(values::encode(&cfg));
                }
            }
        }
        Ok(Response::new(tf::read_data_source::Response {
            state,
            diagnostics,
        }))
    }

    async fn get_functions(
        &self,
        _req: Request<tf::get_functions::Request>,
    ) -> Result<Response<tf::get_functions::Response>, Status> {
        Ok(Response::new(tf::get_functions::Response {
            functions: Default::default(),
            diagnostics: vec![],
        }))
    }

    async fn call_function(
        &self,
        req: Request<tf::call_function::Request>,
    ) -> Result<Response<tf::call_function::Response>, Status> {
        Ok(Response::new(tf::call_function::Response {
            result: None,
            error: Some(tf::FunctionError {
                text: format!(
                    "The stand-in provider has no function {:?}.",
                    req.get_ref().name
                ),
                function_argument: None,
            }),
        }))
    }

    async fn stop_provider(
        &self,
        _req: Request<tf::stop_provider::Request>,
    ) -> Result<Response<tf::stop_provider::Response>, Status> {
        Ok(Response::new(tf::stop_provider::Response {
            error: String::new(),
        }))
    }
}

/// go-plugin's controller: Terraform asks the plugin to exit through it.
struct Controller;

#[tonic::async_trait]
impl plugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _req: Request<plugin::Empty>,
    ) -> Result<Response<plugin::Empty>, Status> {
        tokio::spawn(async {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            std::process::exit(0);
        });
        Ok(Response::new(plugin::Empty {}))
    }
}

/// go-plugin's broker and stdio streams: kept open, nothing ever sent.
struct Idle;

#[tonic::async_trait]
impl plugin::grpc_broker_server::GrpcBroker for Idle {
    type StartStreamStream = BoxStream<plugin::ConnInfo>;
    async fn start_stream(
        &self,
        _req: Request<tonic::Streaming<plugin::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        Ok(Response::new(Box::pin(tokio_stream::pending())))
    }
}

#[tonic::async_trait]
impl plugin::grpc_stdio_server::GrpcStdio for Idle {
    type StreamStdioStream = BoxStream<plugin::StdioData>;
    async fn stream_stdio(
        &self,
        _req: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(Box::pin(tokio_stream::pending())))
    }
}

#[tokio::main]
async fn main() {
    if std::env::var(MAGIC_COOKIE_KEY).as_deref() != Ok(MAGIC_COOKIE_VALUE) {
        eprintln!(
            "This binary is a plugin. These are not meant to be executed directly.\n\
             Please execute the program that consumes these plugins, which will\n\
             load any plugins automatically"
        );
        std::process::exit(1);
    }
    if std::env::var_os("PLUGIN_CLIENT_CERT").is_some() {
        eprintln!(
            "stub provider: TLS is not supported; run Terraform with TF_DISABLE_PLUGIN_TLS=1"
        );
        std::process::exit(1);
    }
    let path = std::env::var("STUB_PROVIDER_SCHEMA").unwrap_or_else(|_| default_schema_path());
    let schema = match ProviderSchema::load(&path) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("stub provider: {e}");
            std::process::exit(1);
        }
    };
    let behaviour = match Behaviour::load() {
        Ok(b) => Arc::new(b),
        Err(e) => {
            eprintln!("stub provider: {e}");
            std::process::exit(1);
        }
    };
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("stub provider: cannot listen on 127.0.0.1: {e}");
            std::process::exit(1);
        }
    };
    let addr = listener
        .local_addr()
        .expect("bound listener has an address");

    let server = tonic::transport::Server::builder()
        .add_service(tf::provider_server::ProviderServer::new(StubProvider {
            schema,
            behaviour,
            world: Mutex::new(World::from_env()),
        }))
        .add_service(plugin::grpc_controller_server::GrpcControllerServer::new(
            Controller,
        ))
        .add_service(plugin::grpc_broker_server::GrpcBrokerServer::new(Idle))
        .add_service(plugin::grpc_stdio_server::GrpcStdioServer::new(Idle))
        .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener));

    // go-plugin handshake: core version | app protocol | network | address | protocol.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "1|6|tcp|{addr}|grpc|");
    let _ = out.flush();

    if let Err(e) = server.await {
        eprintln!("stub provider: server error: {e}");
        std::process::exit(1);
    }
}
