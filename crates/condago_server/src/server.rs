//! The LSP handlers: each forwards to the documents thread and, for a request, waits for
//! its answer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::oneshot;
use tower_lsp_server::jsonrpc::{self, ErrorCode, Result};
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CodeActionResponse, ConfigurationItem, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, FileSystemWatcher, GlobPattern, Hover, HoverParams,
    HoverProviderCapability, InitializeParams, InitializeResult, InitializedParams, Registration,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::actions::FIX_ALL_KIND;
use crate::position::Encoding;
use crate::session::{Event, Reply};

pub struct Backend {
    client: Client,
    events: Sender<Event>,
    /// `shutdown` was received (so `exit` is a clean exit).
    shut_down: Arc<AtomicBool>,
    /// The client answers `workspace/configuration`.
    pulls_configuration: AtomicBool,
    /// The client watches files for the server when asked (`condago.toml`).
    watches_files: AtomicBool,
}

impl Backend {
    pub fn new(client: Client, events: Sender<Event>, shut_down: Arc<AtomicBool>) -> Self {
        Backend {
            client,
            events,
            shut_down,
            pulls_configuration: AtomicBool::new(false),
            watches_files: AtomicBool::new(false),
        }
    }

    fn send(&self, event: Event) {
        // Fails only once the documents thread is gone, when nothing is left to do.
        let _ = self.events.send(event);
    }

    async fn ask<T>(&self, event: impl FnOnce(Reply<T>) -> Event) -> Result<T> {
        let (reply, answer) = oneshot::channel();
        self.send(event(reply));
        answer.await.unwrap_or_else(|_| {
            Err(jsonrpc::Error {
                code: ErrorCode::InternalError,
                message: "condago failed on this request; see its log".into(),
                data: None,
            })
        })
    }

    /// Asks the client for the `condago` settings section, without waiting in the handler
    /// (the answer arrives later, and is applied in order with everything else).
    fn pull_configuration(&self) {
        if !self.pulls_configuration.load(Ordering::Relaxed) {
            return;
        }
        let client = self.client.clone();
        let events = self.events.clone();
        tokio::spawn(async move {
            let items = vec![ConfigurationItem {
                scope_uri: None,
                section: Some("condago".to_string()),
            }];
            if let Ok(values) = client.configuration(items).await {
                if let Some(value) = values.into_iter().next().filter(|v| !v.is_null()) {
                    let _ = events.send(Event::Configure(value));
                }
            }
        });
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let capabilities = &params.capabilities;
        let negotiated = Encoding::negotiate(capabilities);
        let workspace = capabilities.workspace.as_ref();
        let document_changes = workspace
            .and_then(|workspace| workspace.workspace_edit.as_ref())
            .and_then(|edit| edit.document_changes)
            .unwrap_or(false);
        let pulls = workspace
            .and_then(|workspace| workspace.configuration)
            .unwrap_or(false);
        self.pulls_configuration.store(pulls, Ordering::Relaxed);
        let watches = workspace
            .and_then(|workspace| workspace.did_change_watched_files.as_ref())
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false);
        self.watches_files.store(watches, Ordering::Relaxed);
        #[allow(deprecated)] // `rootUri`: clients without workspace folders still send it.
        let root = params.root_uri.as_ref();
        let folders = params
            .workspace_folders
            .iter()
            .flatten()
            .map(|folder| &folder.uri)
            .chain(root)
            .filter_map(|uri| uri.to_file_path().map(|path| path.into_owned()))
            .collect();
        self.send(Event::Initialize {
            encoding: negotiated.encoding,
            document_changes,
            options: params.initialization_options.unwrap_or(Value::Null),
            folders,
        });
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(negotiated.encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::new(FIX_ALL_KIND),
                        ]),
                        resolve_provider: Some(false),
                        ..CodeActionOptions::default()
                    },
                )),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "condago".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: negotiated
                .via_offset_encoding
                .then(|| negotiated.encoding.name().to_string()),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.send(Event::Initialized);
        self.pull_configuration();
        if self.watches_files.load(Ordering::Relaxed) {
            // Told when a project configuration changes, to lint everything again with it.
            let watchers = condago_config::FILE_NAMES
                .iter()
                .map(|name| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(format!("**/{name}")),
                    kind: None,
                })
                .collect();
            let registration = Registration {
                id: "condago-configuration-files".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                    watchers,
                })
                .ok(),
            };
            // Not awaited in the handler: the answer comes through the same transport.
            let client = self.client.clone();
            tokio::spawn(async move {
                if let Err(error) = client.register_capability(vec![registration]).await {
                    client
                        .log_message(
                            tower_lsp_server::ls_types::MessageType::WARNING,
                            format!("condago: cannot watch condago.toml files ({error}); restart the server after changing one"),
                        )
                        .await;
                }
            });
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.send(Event::FilesChanged(
            params
                .changes
                .into_iter()
                .map(|change| change.uri)
                .collect(),
        ));
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.send(Event::Open(params));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.send(Event::Change(params));
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.send(Event::Close(params));
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if params.settings.is_null() {
            self.pull_configuration();
        } else {
            self.send(Event::Configure(params.settings));
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.ask(|reply| Event::Hover(params, reply)).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.ask(|reply| Event::CodeAction(params, reply)).await
    }
}
