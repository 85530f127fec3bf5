//! The one thread that owns the documents.
//!
//! Every document notification and every request that reads a document reaches this
//! thread through one channel, in the order the client sent them (the transport hands
//! messages to the handlers one at a time, and a handler only forwards), so a change can
//! never overtake another and a request always sees the text the client had when it sent
//! it. The thread applies everything already queued before it lints, so a burst of
//! keystrokes costs one lint, and publishes each document's findings with the version
//! they were computed for.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::runtime::Handle;
use tokio::sync::oneshot;
use tower_lsp_server::jsonrpc::{self, ErrorCode};
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionResponse, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, Hover, HoverContents, HoverParams, MarkupContent, MarkupKind,
    MessageType, Position, Uri,
};
use tower_lsp_server::Client;

use condago_config::{ConfigError, Discovery, Overrides, Resolver};
use condago_linter::{Settings, Shell};

use crate::config::Config;
use crate::document::Document;
use crate::lint::{self, catch, Analysis, LintFn};
use crate::position::{self, Encoding};
use crate::{actions, convert, hover};

/// The answer to a request.
pub type Reply<T> = oneshot::Sender<jsonrpc::Result<T>>;

/// What the documents thread is told, in the client's order.
pub enum Event {
    /// From `initialize`: how to talk to this client.
    Initialize {
        encoding: Encoding,
        document_changes: bool,
        options: Value,
        /// The workspace folders (configuration for documents that are not files).
        folders: Vec<PathBuf>,
    },
    /// From `initialized`: the client now takes messages.
    Initialized,
    Open(DidOpenTextDocumentParams),
    Change(DidChangeTextDocumentParams),
    Close(DidCloseTextDocumentParams),
    /// A settings object (`didChangeConfiguration`, or `workspace/configuration`'s answer).
    Configure(Value),
    /// `workspace/didChangeWatchedFiles`: files that changed on disk.
    FilesChanged(Vec<Uri>),
    Hover(HoverParams, Reply<Option<Hover>>),
    CodeAction(CodeActionParams, Reply<Option<CodeActionResponse>>),
}

/// A burst is applied as a whole before linting, but never for longer than this, so
/// findings keep coming while the client types without pause.
const MAX_BATCH: Duration = Duration::from_millis(30);

/// Syntax trees are kept for this many documents, the ones most recently opened, edited or
/// asked about; the others keep their text and findings, and are parsed again when they
/// are next edited or asked about. A 2,000-line file's tree takes about 3 MB.
const TREES_KEPT: usize = 4;

/// Starts the documents thread. It ends when every sender of `events` is gone.
pub fn spawn(
    client: Client,
    runtime: Handle,
    lint: LintFn,
    events: Receiver<Event>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("condago-documents".to_string())
        .spawn(move || {
            let mut session = Session {
                client,
                runtime,
                lint,
                encoding: Encoding::Utf16,
                document_changes: false,
                config: Config::default(),
                project: Resolver::new(Discovery::Nearest),
                shown_errors: Vec::new(),
                folders: Vec::new(),
                documents: HashMap::new(),
                dirty: Vec::new(),
                recent: Vec::new(),
                held_messages: Some(Vec::new()),
                timing: std::env::var_os("CONDAGO_SERVER_TIMING").is_some(),
            };
            session.run(&events);
        })
}

struct Session {
    client: Client,
    runtime: Handle,
    lint: LintFn,
    encoding: Encoding,
    document_changes: bool,
    config: Config,
    /// The project configuration files (`condago.toml`), read once per directory until
    /// one changes on disk.
    project: Resolver,
    /// Configuration errors already shown, so each is shown once until the file changes.
    shown_errors: Vec<ConfigError>,
    /// The workspace folders, for documents that are not files (`untitled:`).
    folders: Vec<PathBuf>,
    documents: HashMap<Uri, Document>,
    /// Documents whose findings must be published, in the order they changed.
    dirty: Vec<Uri>,
    /// Open documents, the most recently used first.
    recent: Vec<Uri>,
    /// Messages for the user from before `initialized` (the client would drop them).
    held_messages: Option<Vec<(MessageType, String)>>,
    /// `CONDAGO_SERVER_TIMING` is set: each publication's parse, lint and publish times go
    /// to stderr.
    timing: bool,
}

impl Session {
    fn run(&mut self, events: &Receiver<Event>) {
        while let Ok(first) = events.recv() {
            let started = Instant::now();
            self.handle(first);
            while started.elapsed() < MAX_BATCH {
                match events.try_recv() {
                    Ok(event) => self.handle(event),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return,
                }
            }
            self.publish_dirty();
            self.evict_trees();
        }
    }

    /// Marks a document as the most recently used.
    fn touch(&mut self, uri: &Uri) {
        self.recent.retain(|recent| recent != uri);
        self.recent.insert(0, uri.clone());
    }

    /// Drops the trees of all but the most recently used documents, and gives the memory
    /// back.
    fn evict_trees(&mut self) {
        let mut evicted = false;
        for uri in self.recent.iter().skip(TREES_KEPT) {
            if let Some(document) = self.documents.get_mut(uri) {
                evicted |= document.evict_trees();
            }
        }
        if evicted {
            crate::memory::give_back();
        }
    }

    /// Handles one event; a panic fails that event only (a request's answer becomes an
    /// internal error, because its reply is dropped).
    fn handle(&mut self, event: Event) {
        if let Err(message) = catch(|| self.dispatch(event)) {
            self.log(
                MessageType::ERROR,
                format!("condago: internal error (please report it): {message}"),
            );
        }
    }

    fn dispatch(&mut self, event: Event) {
        match event {
            Event::Initialize {
                encoding,
                document_changes,
                options,
                folders,
            } => {
                self.encoding = encoding;
                self.document_changes = document_changes;
                self.folders = folders;
                self.configure(&options);
            }
            Event::Initialized => {
                for (kind, message) in self.held_messages.take().unwrap_or_default() {
                    self.show(kind, message);
                }
            }
            Event::Open(params) => {
                let item = params.text_document;
                let document = Document::new(&item.uri, item.language_id, item.version, item.text);
                self.documents.insert(item.uri.clone(), document);
                self.touch(&item.uri);
                self.mark_dirty(item.uri);
            }
            Event::Change(params) => {
                let uri = params.text_document.uri;
                match self.documents.get_mut(&uri) {
                    Some(document) => {
                        document.apply_changes(
                            params.text_document.version,
                            params.content_changes,
                            self.encoding,
                        );
                        self.touch(&uri);
                        self.mark_dirty(uri);
                    }
                    None => self.log(
                        MessageType::WARNING,
                        format!("condago: a change to {} which is not open", uri.as_str()),
                    ),
                }
            }
            Event::Close(params) => {
                let uri = params.text_document.uri;
                if self.documents.remove(&uri).is_some() {
                    crate::memory::give_back();
                }
                self.dirty.retain(|dirty| *dirty != uri);
                self.recent.retain(|recent| *recent != uri);
                self.publish(uri, Vec::new(), None);
            }
            Event::Configure(value) => self.configure(&value),
            Event::FilesChanged(uris) => self.files_changed(&uris),
            Event::Hover(params, reply) => {
                let answer = self.answer(|session| session.hover(params));
                let _ = reply.send(answer);
            }
            Event::CodeAction(params, reply) => {
                let answer = self.answer(|session| session.code_actions(params));
                let _ = reply.send(answer);
            }
        }
    }

    /// Runs a request, turning a panic into an internal error for that request alone.
    fn answer<T>(
        &mut self,
        request: impl FnOnce(&mut Self) -> jsonrpc::Result<T>,
    ) -> jsonrpc::Result<T> {
        match catch(|| request(self)) {
            Ok(answer) => answer,
            Err(message) => {
                let message = format!("condago failed on this request: {message}");
                self.log(MessageType::ERROR, message.clone());
                Err(internal_error(message))
            }
        }
    }

    fn configure(&mut self, value: &Value) {
        if value.is_null() {
            return;
        }
        let old = self.config.clone();
        for problem in self.config.update(value) {
            self.show(MessageType::WARNING, problem);
        }
        if self.config == old {
            return;
        }
        let reparse = self.config.shell != old.shell;
        let uris: Vec<Uri> = self.documents.keys().cloned().collect();
        for uri in uris {
            if let Some(document) = self.documents.get_mut(&uri) {
                if reparse {
                    document.invalidate();
                } else {
                    document.forget_analysis();
                }
            }
            self.mark_dirty(uri);
        }
    }

    /// A `condago.toml` changed on disk: read the configuration again and lint every
    /// document again (its shell may have changed too).
    fn files_changed(&mut self, uris: &[Uri]) {
        let configuration = uris.iter().any(|uri| {
            uri.to_file_path().is_some_and(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| condago_config::FILE_NAMES.contains(&name))
            })
        });
        if !configuration {
            return;
        }
        self.project.clear();
        self.shown_errors.clear();
        let uris: Vec<Uri> = self.documents.keys().cloned().collect();
        for uri in uris {
            if let Some(document) = self.documents.get_mut(&uri) {
                document.invalidate();
            }
            self.mark_dirty(uri);
        }
    }

    /// The settings for a document: its project configuration (the nearest
    /// `condago.toml`) under the editor's settings. A bad configuration is shown once and
    /// the document linted with the editor's settings alone. `None` when the
    /// configuration excludes the document.
    fn settings_for(&mut self, path: &Path) -> Option<(Settings, Option<Shell>)> {
        let overrides = Overrides {
            select: self.config.select.clone(),
            extend_select: Vec::new(),
            ignore: self.config.ignore.clone(),
            shell: self.config.shell,
            origin: "the editor's settings",
        };
        // A document that is not a file (`untitled:`) takes the first workspace folder's.
        let located = if path.is_absolute() {
            Some(path.to_path_buf())
        } else {
            self.folders.first().map(|folder| folder.join(path))
        };
        let config = match located.as_deref().map(|path| self.project.for_file(path)) {
            Some(Ok(config)) => config,
            Some(Err(error)) => {
                if !self.shown_errors.contains(&error) {
                    let message = format!(
                        "condago: {error}\n(linting with the editor's settings until the configuration is fixed)"
                    );
                    self.shown_errors.push(error);
                    self.show(MessageType::ERROR, message);
                }
                None
            }
            None => None,
        };
        let target = located.as_deref().unwrap_or(path);
        let resolved = condago_config::resolve(config.as_deref(), &overrides, target);
        (!resolved.excluded).then_some((resolved.settings, resolved.shell))
    }

    fn mark_dirty(&mut self, uri: Uri) {
        if !self.dirty.contains(&uri) {
            self.dirty.push(uri);
        }
    }

    fn publish_dirty(&mut self) {
        for uri in std::mem::take(&mut self.dirty) {
            let started = Instant::now();
            let published = catch(|| {
                self.analyze(&uri);
                let document = self.documents.get(&uri)?;
                let analysis = document.analysis()?;
                let diagnostics = analysis
                    .diagnostics
                    .iter()
                    .map(|finding| convert::diagnostic(finding, &document.rope, self.encoding))
                    .collect();
                Some((diagnostics, document.version))
            });
            match published {
                Ok(Some((diagnostics, version))) => {
                    let converted = Instant::now();
                    self.publish(uri, diagnostics, Some(version));
                    if self.timing {
                        eprintln!(
                            "condago-timing version={version} analyze_us={} publish_us={}",
                            (converted - started).as_micros(),
                            converted.elapsed().as_micros()
                        );
                    }
                }
                Ok(None) => {}
                Err(message) => self.log(
                    MessageType::ERROR,
                    format!("condago: could not lint {}: {message}", uri.as_str()),
                ),
            }
        }
    }

    /// Brings a document's parse and findings up to date; says what panicked.
    fn analyze(&mut self, uri: &Uri) {
        let Some(path) = self
            .documents
            .get(uri)
            .map(|document| document.path.clone())
        else {
            return;
        };
        let found = self.settings_for(&path);
        let Some(document) = self.documents.get_mut(uri) else {
            return;
        };
        let Some((settings, shell)) = found else {
            // Excluded by the project's configuration: no findings.
            document.set_analysis(Analysis::default());
            return;
        };
        let started = Instant::now();
        document.refresh(shell, &settings.budget);
        if document.analysis().is_some() {
            return;
        }
        let parsed = Instant::now();
        let analysis = match document.syntax() {
            None => Analysis::default(),
            Some(syntax) => lint::lint(
                self.lint,
                &document.path,
                document.text.as_bytes(),
                &syntax.parse,
                syntax.detection.read_by_sh,
                &settings,
            ),
        };
        if self.timing {
            eprintln!(
                "condago-timing version={} parse_us={} lint_us={}",
                document.version,
                (parsed - started).as_micros(),
                parsed.elapsed().as_micros()
            );
        }
        let mut messages = Vec::new();
        for (code, message) in &analysis.panicked {
            messages.push(format!(
                "condago: rule {code} panicked on {} (version {}) and was left out: {message}",
                uri.as_str(),
                document.version
            ));
        }
        if let Some(message) = &analysis.failed {
            messages.push(format!(
                "condago: linting {} (version {}) failed: {message}",
                uri.as_str(),
                document.version
            ));
        }
        document.set_analysis(analysis);
        for message in messages {
            self.log(MessageType::ERROR, message);
        }
    }

    fn hover(&mut self, params: HoverParams) -> jsonrpc::Result<Option<Hover>> {
        let uri = params.text_document_position_params.text_document.uri;
        if self.documents.contains_key(&uri) {
            self.touch(&uri);
        }
        self.analyze(&uri);
        let Some(document) = self.documents.get(&uri) else {
            return Ok(None);
        };
        let (Some(syntax), Some(analysis)) = (document.syntax(), document.analysis()) else {
            return Ok(None);
        };
        if let Some(message) = &analysis.failed {
            return Err(internal_error(format!(
                "condago could not lint this file: {message}"
            )));
        }
        let offset = position::offset(
            &document.rope,
            params.text_document_position_params.position,
            self.encoding,
        );
        let found = hover::hover(
            &document.path,
            &document.text,
            &document.rope,
            syntax,
            &analysis.diagnostics,
            offset,
        );
        Ok(found.map(|(markdown, range)| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(position::range(&document.rope, range, self.encoding)),
        }))
    }

    fn code_actions(
        &mut self,
        params: CodeActionParams,
    ) -> jsonrpc::Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        if self.documents.contains_key(&uri) {
            self.touch(&uri);
        }
        self.analyze(&uri);
        let Some(path) = self
            .documents
            .get(&uri)
            .map(|document| document.path.clone())
        else {
            return Ok(None);
        };
        let settings = self
            .settings_for(&path)
            .map(|(settings, _)| settings)
            .unwrap_or_default();
        let Some(document) = self.documents.get(&uri) else {
            return Ok(None);
        };
        let (Some(syntax), Some(analysis)) = (document.syntax(), document.analysis()) else {
            return Ok(Some(Vec::new()));
        };
        if let Some(message) = &analysis.failed {
            return Err(internal_error(format!(
                "condago could not lint this file: {message}"
            )));
        }
        let target = actions::Target {
            uri: &uri,
            version: document.version,
            path: &document.path,
            text: &document.text,
            rope: &document.rope,
            syntax,
            findings: &analysis.diagnostics,
            encoding: self.encoding,
            document_changes: self.document_changes,
            settings: &settings,
        };
        // Every finding on the lines of the range: "Disable … for this line" and the fix of
        // a finding on the cursor's line are wanted wherever the cursor is on it.
        let bytes = position::byte_range(&document.rope, params.range, self.encoding);
        let rope = &document.rope;
        let first_line = rope.byte_to_line(bytes.start);
        let last_line = rope.byte_to_line(bytes.end);
        let line_end = Position::new(u32::try_from(last_line).unwrap_or(u32::MAX), u32::MAX);
        let range = rope.line_to_byte(first_line)..position::offset(rope, line_end, self.encoding);
        Ok(Some(actions::code_actions(
            &target,
            range,
            params.context.only.as_deref(),
        )))
    }

    fn publish(
        &self,
        uri: Uri,
        diagnostics: Vec<tower_lsp_server::ls_types::Diagnostic>,
        version: Option<i32>,
    ) {
        self.runtime
            .block_on(self.client.publish_diagnostics(uri, diagnostics, version));
    }

    fn log(&self, kind: MessageType, message: String) {
        self.runtime
            .block_on(self.client.log_message(kind, message));
    }

    fn show(&mut self, kind: MessageType, message: String) {
        match self.held_messages.as_mut() {
            Some(held) => held.push((kind, message)),
            None => self
                .runtime
                .block_on(self.client.show_message(kind, message)),
        }
    }
}

fn internal_error(message: String) -> jsonrpc::Error {
    jsonrpc::Error {
        code: ErrorCode::InternalError,
        message: message.into(),
        data: None,
    }
}
