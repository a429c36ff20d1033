//! The tfplugin6 Provider service: each call decoded, handed to the schema
//! and plan modules, and answered. Errors become Terraform diagnostics, so
//! they reach the user as Terraform's own error output.

use tonic::{Request, Response, Status};

use crate::plan;
use crate::proto::tfplugin6 as pb;
use crate::schema::{self, Kind, Schema};
use crate::value::{self, Type, Value};

pub struct Provider {
    pub schemas: schema::Provider,
}

type Reply<T> = Result<Response<T>, Status>;

fn error(summary: impl Into<String>) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: pb::diagnostic::Severity::Error as i32,
        summary: summary.into(),
        detail: String::new(),
        attribute: None,
    }
}

fn msgpack(dv: &Option<pb::DynamicValue>) -> &[u8] {
    dv.as_ref().map_or(&[][..], |d| d.msgpack.as_slice())
}

fn dynamic(ty: &Type, v: &Value) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: value::to_msgpack(ty, v),
        json: Vec::new(),
    })
}

impl Provider {
    fn resource(&self, kind: Kind, type_name: &str) -> Result<(Schema, Type), pb::Diagnostic> {
        let schema = self.schemas.schema(kind, type_name).map_err(error)?;
        let ty = schema.block.implied_type();
        Ok((schema, ty))
    }

    fn decode(ty: &Type, dv: &Option<pb::DynamicValue>) -> Result<Value, pb::Diagnostic> {
        value::from_msgpack(ty, msgpack(dv)).map_err(|e| error(format!("stand-in provider: {e}")))
    }

    /// A stored state (JSON) as a value of `type_name`'s current schema.
    fn state_from_json(
        &self,
        type_name: &str,
        raw: &Option<pb::RawState>,
    ) -> Result<Option<pb::DynamicValue>, pb::Diagnostic> {
        let (_, ty) = self.resource(Kind::Resource, type_name)?;
        let raw = raw.as_ref().ok_or_else(|| error("no state given"))?;
        if raw.json.is_empty() {
            return Err(error(
                "the stand-in provider reads JSON states only, not flatmap",
            ));
        }
        let json: serde_json::Value = serde_json::from_slice(&raw.json)
            .map_err(|e| error(format!("state is not JSON: {e}")))?;
        let v = value::from_json(&ty, &json).map_err(error)?;
        Ok(dynamic(&ty, &v))
    }
}

#[tonic::async_trait]
impl pb::provider_server::Provider for Provider {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(schema::capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .schemas
                .data_source_names()
                .map(|n| pb::get_metadata::DataSourceMetadata {
                    type_name: n.to_owned(),
                })
                .collect(),
            resources: self
                .schemas
                .resource_names()
                .map(|n| pb::get_metadata::ResourceMetadata {
                    type_name: n.to_owned(),
                })
                .collect(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        match self.schemas.to_proto() {
            Ok(r) => Ok(Response::new(r)),
            Err(e) => Ok(Response::new(pb::get_provider_schema::Response {
                diagnostics: vec![error(e)],
                ..Default::default()
            })),
        }
    }

    async fn validate_provider_config(
        &self,
        _: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        // Terraform itself checks the configuration against the schema.
        Ok(Response::new(Default::default()))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        let r = request.into_inner();
        let diagnostics = match self.resource(Kind::Resource, &r.type_name) {
            Ok((_, ty)) => Self::decode(&ty, &r.config).err().into_iter().collect(),
            Err(d) => vec![d],
        };
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics,
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        let r = request.into_inner();
        let diagnostics = match self.resource(Kind::DataSource, &r.type_name) {
            Ok((_, ty)) => Self::decode(&ty, &r.config).err().into_iter().collect(),
            Err(d) => vec![d],
        };
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics,
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        // States are written by this same schema: upgrading passes them through.
        let r = request.into_inner();
        Ok(Response::new(
            match self.state_from_json(&r.type_name, &r.raw_state) {
                Ok(upgraded_state) => pb::upgrade_resource_state::Response {
                    upgraded_state,
                    diagnostics: Vec::new(),
                },
                Err(d) => pb::upgrade_resource_state::Response {
                    upgraded_state: None,
                    diagnostics: vec![d],
                },
            },
        ))
    }

    async fn configure_provider(
        &self,
        _: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        Ok(Response::new(Default::default()))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        // Nothing changes outside Terraform: the state is what was applied.
        let r = request.into_inner();
        Ok(Response::new(pb::read_resource::Response {
            new_state: r.current_state,
            diagnostics: Vec::new(),
            private: r.private,
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        let r = request.into_inner();
        let planned = (|| {
            let (schema, ty) = self.resource(Kind::Resource, &r.type_name)?;
            let mut proposed = Self::decode(&ty, &r.proposed_new_state)?;
            if proposed == Value::Null {
                // Destroy.
                return Ok(dynamic(&ty, &Value::Null));
            }
            let config = Self::decode(&ty, &r.config)?;
            plan::plan(&schema.block, &mut proposed, &config);
            Ok(dynamic(&ty, &proposed))
        })();
        Ok(Response::new(match planned {
            Ok(planned_state) => pb::plan_resource_change::Response {
                planned_state,
                planned_private: r.prior_private,
                ..Default::default()
            },
            Err(d) => pb::plan_resource_change::Response {
                diagnostics: vec![d],
                ..Default::default()
            },
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        let r = request.into_inner();
        let applied = (|| {
            let (_, ty) = self.resource(Kind::Resource, &r.type_name)?;
            let mut planned = Self::decode(&ty, &r.planned_state)?;
            if planned != Value::Null {
                plan::fill(&r.type_name, &ty, &mut planned);
            }
            Ok(dynamic(&ty, &planned))
        })();
        Ok(Response::new(match applied {
            Ok(new_state) => pb::apply_resource_change::Response {
                new_state,
                private: r.planned_private,
                diagnostics: Vec::new(),
            },
            Err(d) => pb::apply_resource_change::Response {
                diagnostics: vec![d],
                ..Default::default()
            },
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        // An imported object is its id; the next read keeps it as it is.
        let r = request.into_inner();
        Ok(Response::new(
            match self.resource(Kind::Resource, &r.type_name) {
                Ok((schema, ty)) => {
                    let mut attrs = std::collections::BTreeMap::new();
                    if schema.block.attributes.contains_key("id") {
                        attrs.insert("id".to_owned(), Value::String(r.id.clone()));
                    }
                    pb::import_resource_state::Response {
                        imported_resources: vec![pb::import_resource_state::ImportedResource {
                            type_name: r.type_name,
                            state: dynamic(&ty, &Value::Map(attrs)),
                            private: Vec::new(),
                        }],
                        diagnostics: Vec::new(),
                    }
                }
                Err(d) => pb::import_resource_state::Response {
                    imported_resources: Vec::new(),
                    diagnostics: vec![d],
                },
            },
        ))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        // Across types (cloudflare_record to cloudflare_dns_record): the
        // attributes both types have carry over, the rest start null.
        let r = request.into_inner();
        let moved = (|| {
            let (_, ty) = self.resource(Kind::Resource, &r.target_type_name)?;
            let raw = r
                .source_state
                .as_ref()
                .ok_or_else(|| error("no source state"))?;
            let json: serde_json::Value = serde_json::from_slice(&raw.json)
                .map_err(|e| error(format!("source state is not JSON: {e}")))?;
            let Type::Object(types) = &ty else {
                unreachable!("a block's type is an object")
            };
            let attrs = types
                .iter()
                .map(|(name, t)| {
                    let v = json
                        .get(name)
                        .and_then(|j| value::from_json(t, j).ok())
                        .unwrap_or(Value::Null);
                    (name.clone(), v)
                })
                .collect();
            Ok(dynamic(&ty, &Value::Map(attrs)))
        })();
        Ok(Response::new(match moved {
            Ok(target_state) => pb::move_resource_state::Response {
                target_state,
                diagnostics: Vec::new(),
                target_private: r.source_private,
            },
            Err(d) => pb::move_resource_state::Response {
                diagnostics: vec![d],
                ..Default::default()
            },
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        // As if planned and applied at once: computed attributes the
        // configuration leaves null get fake values, the same each read.
        let r = request.into_inner();
        let read = (|| {
            let (schema, ty) = self.resource(Kind::DataSource, &r.type_name)?;
            let config = Self::decode(&ty, &r.config)?;
            let mut state = config.clone();
            plan::plan(&schema.block, &mut state, &config);
            plan::fill(&r.type_name, &ty, &mut state);
            Ok(dynamic(&ty, &state))
        })();
        Ok(Response::new(match read {
            Ok(state) => pb::read_data_source::Response {
                state,
                diagnostics: Vec::new(),
            },
            Err(d) => pb::read_data_source::Response {
                state: None,
                diagnostics: vec![d],
            },
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        // Nothing runs in the background to stop.
        Ok(Response::new(Default::default()))
    }
}
