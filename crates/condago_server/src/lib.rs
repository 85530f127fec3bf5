//! `condago server`: condago's language server on stdio. The only crate that knows LSP.
//!
//! Order is part of the design. `tower-lsp-server` runs handlers concurrently by default,
//! so one `didChange` could overtake another; this server runs its transport with a
//! concurrency level of 1, and its handlers only forward each notification and request to
//! one thread that owns every document ([`session`]). That thread receives them in the
//! order the client sent them, applies each burst of changes before linting once, and
//! answers requests against exactly the text the client had when it asked.

mod actions;
mod config;
mod convert;
mod document;
mod hover;
mod lint;
mod memory;
mod position;
mod server;
mod session;
mod transport;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Why the server stopped with a failure.
#[derive(Debug)]
pub struct ServerError {
    message: String,
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ServerError {}

impl ServerError {
    fn new(message: impl Into<String>) -> Self {
        ServerError {
            message: message.into(),
        }
    }
}

/// Runs the language server on stdin and stdout until the client sends `exit` (or closes
/// the connection). `Ok` after a `shutdown` request, as LSP's exit code 0; an error when
/// the connection ended without one (exit code 1).
pub fn run_stdio() -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("condago-lsp")
        .build()
        .map_err(|error| ServerError::new(format!("cannot start the server's runtime: {error}")))?;
    let result = runtime.block_on(serve(
        tokio::io::stdin(),
        tokio::io::stdout(),
        condago_linter::lint_document,
    ));
    // tokio reads stdin on a blocking thread that cannot be cancelled: do not wait for it,
    // so `exit` ends the process even while the client keeps stdin open.
    runtime.shutdown_timeout(Duration::from_millis(50));
    result
}

/// Serves one client on a pair of streams: condago's framing ([`transport`]) in front of
/// `tower-lsp-server`'s transport.
pub(crate) async fn serve<I, O>(input: I, output: O, lint: lint::LintFn) -> Result<(), ServerError>
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    const PIPE: usize = 1 << 16;
    let (server_input, to_server) = tokio::io::duplex(PIPE);
    let (server_output, from_server) = tokio::io::duplex(PIPE);
    let (out, messages) = tokio::sync::mpsc::unbounded_channel();
    let reader = tokio::spawn(transport::read_input(input, to_server, out.clone()));
    let pump = tokio::spawn(transport::pump_server_output(from_server, out));
    let writer = tokio::spawn(transport::write_output(messages, output));
    let result = serve_lsp(server_input, server_output, lint).await;
    // Everything the server said goes out before this returns; the reader may be blocked
    // on an input the client keeps open, and is left behind.
    let _ = pump.await;
    let _ = writer.await;
    reader.abort();
    result
}

async fn serve_lsp<I, O>(input: I, output: O, lint: lint::LintFn) -> Result<(), ServerError>
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let shut_down = Arc::new(AtomicBool::new(false));
    let (events, inbox) = std::sync::mpsc::channel();
    let runtime = tokio::runtime::Handle::current();
    let mut started = Ok(());
    let (service, socket) = LspService::new(|client| {
        // The thread ends by itself once the service (and with it every sender) is gone.
        started = session::spawn(client.clone(), runtime, lint, inbox).map(drop);
        server::Backend::new(client, events, shut_down.clone())
    });
    started.map_err(|error| ServerError::new(format!("cannot start the server: {error}")))?;
    Server::new(input, output, socket)
        .concurrency_level(1)
        .serve(service)
        .await;
    if shut_down.load(Ordering::SeqCst) {
        Ok(())
    } else {
        Err(ServerError::new(
            "the client ended the connection without a `shutdown` request",
        ))
    }
}

#[cfg(test)]
mod tests;
