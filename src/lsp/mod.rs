//! `tasks lsp`: a language server over stdio (the `lsp-server` and
//! `lsp-types` crates). It keeps each open document's text, and on every
//! change parses and resolves it as `tasks check` does, publishing every
//! mistake as a diagnostic with the same message and help. Hover, go to
//! definition and completion read the script's declarations and the
//! engine's builtins and native modules; references and rename every use
//! of a declaration in the file; formatting is `tasks fmt`'s.

mod features;
mod imports;
mod members;
mod reference;
mod references;
mod symbols;
mod text;

use features::Document;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, Formatting, GotoDefinition, HoverRequest, References, Rename, Request as _,
};
use lsp_types::{
    CompletionOptions, HoverProviderCapability, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};
use std::collections::HashMap;

/// Serves one client on stdin/stdout until it says `exit`.
pub fn serve() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    run(&connection).map_err(|e| e.to_string())?;
    drop(connection);
    io.join().map_err(|e| e.to_string())
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into()]),
            ..CompletionOptions::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

fn run(connection: &Connection) -> Result<(), Box<dyn std::error::Error>> {
    let caps = serde_json::to_value(capabilities())?;
    connection.initialize(caps)?;
    let mut docs: HashMap<String, Document> = HashMap::new();
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(());
                }
                let resp = answer(&docs, req);
                connection.sender.send(Message::Response(resp))?;
            }
            Message::Notification(n) => {
                if let Some(uri) = update(&mut docs, n) {
                    publish(connection, &docs, &uri)?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// Applies an open, change or close; returns the document to re-check.
fn update(docs: &mut HashMap<String, Document>, n: Notification) -> Option<Uri> {
    match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let uri = p.text_document.uri;
            docs.insert(
                uri.as_str().to_owned(),
                Document::new(&uri, p.text_document.text),
            );
            Some(uri)
        }
        DidChangeTextDocument::METHOD => {
            let p: lsp_types::DidChangeTextDocumentParams =
                serde_json::from_value(n.params).ok()?;
            let uri = p.text_document.uri;
            // Full sync: the last change holds the whole text.
            let text = p.content_changes.into_iter().last()?.text;
            docs.insert(uri.as_str().to_owned(), Document::new(&uri, text));
            Some(uri)
        }
        DidCloseTextDocument::METHOD => {
            let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params).ok()?;
            docs.remove(p.text_document.uri.as_str());
            None
        }
        _ => None,
    }
}

fn publish(
    connection: &Connection,
    docs: &HashMap<String, Document>,
    uri: &Uri,
) -> Result<(), Box<dyn std::error::Error>> {
    let Some(doc) = docs.get(uri.as_str()) else {
        return Ok(());
    };
    let params = PublishDiagnosticsParams::new(uri.clone(), doc.diagnostics(), None);
    let note = Notification::new(PublishDiagnostics::METHOD.to_owned(), params);
    connection.sender.send(Message::Notification(note))?;
    Ok(())
}

/// Hover, definition and completion; anything else is "method not found".
fn answer(docs: &HashMap<String, Document>, req: Request) -> Response {
    let id: RequestId = req.id.clone();
    let doc_of = |uri: &Uri| docs.get(uri.as_str());
    let result = match req.method.as_str() {
        HoverRequest::METHOD => serde_json::from_value::<lsp_types::HoverParams>(req.params)
            .ok()
            .and_then(|p| {
                let at = p.text_document_position_params;
                doc_of(&at.text_document.uri).map(|d| serde_json::to_value(d.hover(at.position)))
            }),
        GotoDefinition::METHOD => {
            serde_json::from_value::<lsp_types::GotoDefinitionParams>(req.params)
                .ok()
                .and_then(|p| {
                    let at = p.text_document_position_params;
                    doc_of(&at.text_document.uri).map(|d| {
                        serde_json::to_value(d.definition(&at.text_document.uri, at.position))
                    })
                })
        }
        Completion::METHOD => serde_json::from_value::<lsp_types::CompletionParams>(req.params)
            .ok()
            .and_then(|p| {
                let at = p.text_document_position;
                doc_of(&at.text_document.uri).map(|d| serde_json::to_value(d.complete(at.position)))
            }),
        Formatting::METHOD => {
            serde_json::from_value::<lsp_types::DocumentFormattingParams>(req.params)
                .ok()
                .and_then(|p| {
                    doc_of(&p.text_document.uri).map(|d| serde_json::to_value(d.formatting()))
                })
        }
        References::METHOD => serde_json::from_value::<lsp_types::ReferenceParams>(req.params)
            .ok()
            .and_then(|p| {
                let at = p.text_document_position;
                let uri = &at.text_document.uri;
                let decl = p.context.include_declaration;
                doc_of(uri).map(|d| serde_json::to_value(d.references(uri, at.position, decl)))
            }),
        Rename::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp_types::RenameParams>(req.params) else {
                return Response::new_ok(id, serde_json::Value::Null);
            };
            let at = p.text_document_position;
            let uri = &at.text_document.uri;
            match doc_of(uri).map(|d| d.rename(uri, at.position, &p.new_name)) {
                Some(Ok(edit)) => serde_json::to_value(edit).ok().map(Ok),
                // The client shows the message to the user.
                Some(Err(why)) => return Response::new_err(id, -32803, why),
                None => None,
            }
        }
        _ => return Response::new_err(id, -32601, format!("unsupported request {}", req.method)),
    };
    match result {
        Some(Ok(v)) => Response::new_ok(id, v),
        // A document the client never opened, or parameters it garbled.
        _ => Response::new_ok(id, serde_json::Value::Null),
    }
}
