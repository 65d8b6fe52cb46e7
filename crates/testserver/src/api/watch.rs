//! WATCH (rules 1.2, 2.7–2.13): start modes, watch-list, 410 ERROR events, bookmarks,
//! timeouts, and the injected watch faults.

use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Response, StatusCode};
use kapi_apimachinery::fields::FieldOperator;
use kapi_apimachinery::fields::FieldTerm;
use kapi_apimachinery::meta::{cause, Status, INITIAL_EVENTS_END_ANNOTATION};
use serde_json::json;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::list::{filter_for, invalid_list_option};
use super::{default_watch_timeout, served_bytes, wait_for_rv};
use crate::faults::{FaultKind, SeededRng};
use crate::http::{boxed, ChannelBody, HResult, ListParams, Req, ResourcePath, JSON};
use crate::registry::ResourceDef;
use crate::shared::Shared;
use crate::store::{WatchHandle, WatchMsg, WatchStart};
use crate::table::Shape;

/// `GET ...?watch=1` and `/watch/...`.
pub(crate) async fn watch(
    sh: &Arc<Shared>,
    rp: &ResourcePath,
    req: &Req,
    faults: &[FaultKind],
) -> HResult {
    let mut lp = ListParams::parse(&req.query)?;
    if let Some(name) = &rp.name {
        if let Some(other) = lp.fields.requires_exact_match("metadata.name") {
            if other != name {
                return Err(Status::bad_request(format!(
                    "fieldSelector metadata.name doesn't match requested name: {other:?} != {name:?}"
                ))
                .into());
            }
        }
        let term = FieldTerm::new("metadata.name", FieldOperator::Equals, name.clone())
            .map_err(|e| Status::bad_request(e.to_string()))?;
        lp.fields = lp.fields.clone().and(term);
    }
    let filter = filter_for(rp, &lp)?;
    let shape = crate::table::shape(req)?;
    if lp.continue_.is_some() {
        return Err(Status::bad_request("a continue token is not allowed with watch").into());
    }
    let rv = lp.rv_number()?;
    let start = match (lp.send_initial_events, lp.rv_match.as_deref()) {
        (Some(_), m) if m != Some("NotOlderThan") => {
            return Err(invalid_list_option(
                "resourceVersionMatch",
                cause::FIELD_VALUE_FORBIDDEN,
                "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
            ))
        }
        (Some(true), _) if !lp.bookmarks => {
            return Err(invalid_list_option(
                "allowWatchBookmarks",
                cause::FIELD_VALUE_FORBIDDEN,
                "Forbidden: sendInitialEvents requires allowWatchBookmarks=true",
            ))
        }
        (None, Some(_)) => {
            return Err(invalid_list_option(
                "resourceVersionMatch",
                cause::FIELD_VALUE_FORBIDDEN,
                "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
            ))
        }
        (Some(true), _) => {
            if let Some(x) = rv.filter(|x| *x > 0) {
                wait_for_rv(sh, x).await?;
            }
            WatchStart::InitialEvents
        }
        (Some(false), _) => WatchStart::After(rv.filter(|x| *x > 0).unwrap_or_else(|| sh.store.current_rv())),
        (None, None) => match rv {
            None | Some(0) => WatchStart::Current,
            Some(x) => WatchStart::After(x),
        },
    };
    let timeout = lp
        .timeout_seconds
        .map_or_else(default_watch_timeout, Duration::from_secs);
    let (tx, body) = ChannelBody::new(16);
    let forced_expired = faults.iter().any(|f| matches!(f, FaultKind::Expired));
    let registered = if forced_expired {
        None
    } else {
        Some(sh.store.watch(&rp.def, filter, start))
    };
    let def = Arc::clone(&rp.def);
    let stream = Stream {
        sh: Arc::clone(sh),
        def,
        tx,
        bookmarks: lp.bookmarks,
        faults: faults.to_vec(),
        sent: 0,
        rng: None,
        shape,
        include: crate::table::include(req),
    };
    match registered {
        Some(Ok(handle)) => {
            tokio::spawn(stream.run(handle, Instant::now() + timeout));
        }
        other => {
            let oldest = match other {
                Some(Err(e)) => e.oldest,
                _ => sh.store.current_rv(),
            };
            let asked = rv.unwrap_or(0);
            let st = Status::expired(format!("too old resource version: {asked} ({oldest})"));
            tokio::spawn(stream.error_and_close(st));
        }
    }
    let mut r = Response::new(boxed(body));
    *r.status_mut() = StatusCode::OK;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    Ok(r)
}

/// One event line: `{"type":T,"object":...}\n`.
fn frame(ty: &str, object: &[u8]) -> Bytes {
    let mut b = BytesMut::with_capacity(object.len() + 32);
    b.extend_from_slice(b"{\"type\":\"");
    b.extend_from_slice(ty.as_bytes());
    b.extend_from_slice(b"\",\"object\":");
    b.extend_from_slice(object);
    b.extend_from_slice(b"}\n");
    b.freeze()
}

fn bookmark_object(def: &ResourceDef, rv: u64, end: bool) -> Bytes {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if end {
        meta["annotations"] = json!({ INITIAL_EVENTS_END_ANNOTATION: "true" });
    }
    let v = json!({"kind": def.kind, "apiVersion": def.api_version(), "metadata": meta});
    Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
}

struct Stream {
    sh: Arc<Shared>,
    def: Arc<ResourceDef>,
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    bookmarks: bool,
    faults: Vec<FaultKind>,
    sent: usize,
    rng: Option<SeededRng>,
    shape: Shape,
    include: String,
}

enum Flow {
    Continue,
    Stop,
}

impl Stream {
    async fn error_and_close(self, st: Status) {
        let obj = serde_json::to_vec(&st).unwrap_or_default();
        let _ = self.tx.send(Ok(frame("ERROR", &obj))).await;
    }

    async fn run(mut self, mut handle: WatchHandle, deadline: Instant) {
        let interval = self.sh.settings.bookmark_interval;
        let total = deadline.saturating_duration_since(Instant::now());
        let lead = (total / 10).clamp(Duration::from_millis(100), Duration::from_secs(1));
        let pre_deadline = (total > lead * 2).then(|| deadline - lead);
        let mut next_bookmark = Instant::now() + interval;
        if let Some(p) = pre_deadline {
            next_bookmark = next_bookmark.min(p);
        }
        for msg in std::mem::take(&mut handle.initial) {
            if let Flow::Stop = self.emit(msg).await {
                return;
            }
        }
        let key = Arc::clone(&self.def.storage_key);
        loop {
            tokio::select! {
                msg = handle.rx.recv() => match msg {
                    Some(m) => if let Flow::Stop = self.emit(m).await { return },
                    None => {
                        if handle.lagged.load(Ordering::Acquire) {
                            let rv = self.sh.store.current_rv();
                            let st = Status::expired(format!(
                                "too old resource version: the watcher fell too far behind (current {rv})"
                            ));
                            self.error_and_close(st).await;
                        }
                        return;
                    }
                },
                () = tokio::time::sleep_until(next_bookmark), if self.bookmarks => {
                    self.sh.store.bookmark(&key, handle.id);
                    let periodic = Instant::now() + interval;
                    next_bookmark = match pre_deadline {
                        Some(p) if p > Instant::now() => periodic.min(p),
                        _ => periodic,
                    };
                }
                () = tokio::time::sleep_until(deadline) => return,
                () = self.tx.closed() => return,
            }
        }
    }

    /// Aborts the connection once the events already sent have reached the socket.
    async fn abort(&self) {
        let start = Instant::now();
        while self.tx.capacity() < self.tx.max_capacity()
            && start.elapsed() < Duration::from_secs(1)
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let _ = self
            .tx
            .send(Err(io::Error::other("injected fault: watch dropped")))
            .await;
    }

    async fn emit(&mut self, msg: WatchMsg) -> Flow {
        let line = match msg {
            WatchMsg::Event(kind, obj, rv) => {
                let bytes = served_bytes(&self.def, &obj, rv);
                if self.shape == Shape::Full {
                    frame(kind.as_str(), &bytes)
                } else {
                    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
                    let shaped = crate::table::object_in(&self.def, &self.shape, &v, &self.include);
                    frame(
                        kind.as_str(),
                        &serde_json::to_vec(&shaped).unwrap_or_default(),
                    )
                }
            }
            WatchMsg::Bookmark(rv) => {
                if !self.bookmarks {
                    return Flow::Continue;
                }
                frame("BOOKMARK", &bookmark_object(&self.def, rv, false))
            }
            WatchMsg::InitialEventsEnd(rv) => {
                if self
                    .faults
                    .iter()
                    .any(|f| matches!(f, FaultKind::NoInitialEventsEnd))
                {
                    return Flow::Continue;
                }
                frame("BOOKMARK", &bookmark_object(&self.def, rv, true))
            }
        };
        for f in &self.faults {
            if let FaultKind::SlowBody(d) = f {
                tokio::time::sleep(*d).await;
            }
        }
        if self.tx.send(Ok(line)).await.is_err() {
            return Flow::Stop;
        }
        self.sent += 1;
        for f in &self.faults {
            match f {
                FaultKind::DropWatchAfter(n) if self.sent >= *n => {
                    self.abort().await;
                    return Flow::Stop;
                }
                FaultKind::CloseWatchAfter(n) if self.sent >= *n => return Flow::Stop,
                FaultKind::DropWatchRandomly { probability, seed } => {
                    let rng = self.rng.get_or_insert_with(|| SeededRng::new(*seed));
                    if rng.next_f64() < *probability {
                        self.abort().await;
                        return Flow::Stop;
                    }
                }
                _ => {}
            }
        }
        Flow::Continue
    }
}
