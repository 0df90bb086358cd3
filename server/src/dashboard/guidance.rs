//! `/communes/{c}/guidance`: the month's guidance, the quarter's thematic topic and notices
//! the office sends down to the cells, with attachments; the compose form (multipart);
//! and, per guidance, which cells have received it (a secretary's phone pulled it).

use askama::Template;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tokio_util::io::ReaderStream;

use chibo_domain::labels::{format_date_time, format_file_size, format_guidance_period, Label};
use chibo_domain::model::{GuidanceKind, Id};
use chibo_domain::time::local_year_month;

use crate::blobs::{BlobError, BlobId};
use crate::docs::{CommuneDocs, GUIDANCE};
use crate::office::{self, AttachmentUpload, GuidanceDraft, Officer, MAX_ATTACHMENT_BYTES};
use crate::storage;
use crate::AppState;

use super::cadres::after_action;
use super::layout::{blocking, commune_path, render, urlencode, Chrome, Nav, PageError};
use super::session::{csrf_matches, CommuneScope, CommuneWriter};

/// At most this many attachments per guidance, so one post stays within the body limit.
const MAX_ATTACHMENTS: usize = 5;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/communes/{commune_id}/guidance",
            get(page)
                .post(publish)
                // The form's files, each checked on its own (a clear message per file).
                .layer(DefaultBodyLimit::max(
                    MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1024 * 1024,
                )),
        )
        .route(
            "/communes/{commune_id}/guidance/{guidance_id}/attachments/{sha256}",
            get(attachment),
        )
}

/// The kinds the office may publish, with their form values.
const KINDS: [(&str, GuidanceKind); 3] = [
    ("monthly_guidance", GuidanceKind::MonthlyGuidance),
    ("thematic_topic", GuidanceKind::ThematicTopic),
    ("notice", GuidanceKind::Notice),
];

pub struct AttachmentLink {
    pub href: String,
    pub file_name: String,
    pub size: String,
}

pub struct GuidanceRow {
    pub title: String,
    pub kind: &'static str,
    pub period: String,
    pub published_at: String,
    pub body: String,
    pub audience: String,
    pub attachments: Vec<AttachmentLink>,
    pub received: Vec<String>,
    pub not_yet: Vec<String>,
}

pub struct CellChoice {
    pub id: Id,
    pub name: String,
}

#[derive(Template)]
#[template(path = "guidance.html")]
struct GuidancePage {
    chrome: Chrome,
    base: String,
    guidances: Vec<GuidanceRow>,
    cells: Vec<CellChoice>,
    /// (form value, the kind's words) for the kind menu.
    kinds: Vec<(&'static str, &'static str)>,
    default_period: String,
    max_mb: usize,
    may_write: bool,
    done: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    done: Option<String>,
    error: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    scope: CommuneScope,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let commune_id = scope.commune.id.clone();
    let base = commune_path(&commune_id);
    let base2 = base.clone();
    let storage = state.storage.clone();
    let (rows, cells) = blocking(move || {
        Ok(storage::read(&*storage, |tx| {
            let receipts = office::guidance_receipts(tx, &commune_id)?;
            let cells = CommuneDocs::new(tx, &commune_id).cells()?;
            let rows = receipts
                .into_iter()
                .map(|(g, receipts)| GuidanceRow {
                    title: g.title.clone(),
                    kind: g.kind.label(),
                    period: format_guidance_period(g.period.clone()),
                    published_at: format_date_time(g.published_at),
                    body: g.body.clone(),
                    audience: if g.cell_ids.is_empty() {
                        "Tất cả chi bộ".to_string()
                    } else {
                        format!("{} chi bộ", g.cell_ids.len())
                    },
                    attachments: g
                        .attachments
                        .iter()
                        .map(|a| AttachmentLink {
                            href: format!(
                                "{base2}/guidance/{}/attachments/{}",
                                urlencode(&g.id),
                                urlencode(&a.sha256)
                            ),
                            file_name: a.file_name.clone(),
                            size: format_file_size(a.byte_size),
                        })
                        .collect(),
                    received: receipts
                        .iter()
                        .filter(|r| r.received)
                        .map(|r| r.cell_name.clone())
                        .collect(),
                    not_yet: receipts
                        .iter()
                        .filter(|r| !r.received)
                        .map(|r| r.cell_name.clone())
                        .collect(),
                })
                .collect::<Vec<_>>();
            let cells = cells
                .into_iter()
                .map(|c| CellChoice {
                    id: c.id,
                    name: c.name,
                })
                .collect::<Vec<_>>();
            Ok((rows, cells))
        })?)
    })
    .await?;
    let (year, month) = local_year_month(state.clock.now());
    let may_write = scope.user.may_write(&scope.commune);
    let page = GuidancePage {
        chrome: Chrome::new(
            scope.user,
            Some(scope.commune),
            Nav::Guidance,
            "Định hướng, thông báo",
        ),
        base,
        guidances: rows,
        cells,
        kinds: KINDS
            .iter()
            .map(|&(value, kind)| (value, kind.label()))
            .collect(),
        default_period: format!("{year:04}-{month:02}"),
        max_mb: MAX_ATTACHMENT_BYTES / (1024 * 1024),
        may_write,
        done: q.done,
        error: q.error,
    };
    Ok(render(&page)?.into_response())
}

fn bad(detail: impl std::fmt::Display) -> PageError {
    PageError::BadRequest(format!(
        "Không đọc được biểu mẫu gửi lên (có thể tổng dung lượng tệp quá lớn, mỗi tệp tối đa {} MB): {detail}",
        MAX_ATTACHMENT_BYTES / (1024 * 1024)
    ))
}

async fn publish(
    State(state): State<AppState>,
    CommuneWriter(scope): CommuneWriter,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let mut csrf = None;
    let mut kind = None;
    let (mut title, mut body, mut period) = (String::new(), String::new(), String::new());
    let mut target_all = true;
    let mut cell_ids: Vec<Id> = Vec::new();
    let mut attachments = Vec::new();
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let media_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field.bytes().await.map_err(bad)?;
            if file_name.is_empty() && bytes.is_empty() {
                continue; // The file input left empty.
            }
            attachments.push(AttachmentUpload {
                file_name,
                media_type,
                bytes: bytes.to_vec(),
            });
            continue;
        }
        let text = field.text().await.map_err(bad)?;
        match name.as_str() {
            "csrf" => csrf = Some(text),
            "kind" => {
                kind = Some(
                    KINDS
                        .iter()
                        .find(|(value, _)| *value == text)
                        .map(|&(_, kind)| kind)
                        .ok_or_else(|| {
                            PageError::BadRequest(format!("Loại văn bản không hợp lệ: \"{text}\""))
                        })?,
                )
            }
            "title" => title = text,
            "body" => body = text,
            "period" => period = text,
            "target" => target_all = text != "chosen",
            "cell_ids" => cell_ids.push(text),
            _ => {}
        }
    }
    // Checked before anything is stored.
    if !csrf_matches(&scope.user, csrf.as_deref()) {
        return Err(PageError::Forbidden);
    }
    let page = format!("{}/guidance", commune_path(&scope.commune.id));
    if attachments.len() > MAX_ATTACHMENTS {
        return after_action(
            &page,
            Err(office::OfficeError::Refused(format!(
                "Mỗi văn bản đính kèm tối đa {MAX_ATTACHMENTS} tệp"
            ))),
        );
    }
    if !target_all && cell_ids.is_empty() {
        return after_action(
            &page,
            Err(office::OfficeError::Refused(
                "Chưa chọn chi bộ nào nhận văn bản".into(),
            )),
        );
    }
    let draft = GuidanceDraft {
        kind: kind.unwrap_or(GuidanceKind::MonthlyGuidance),
        title,
        body,
        period,
        cell_ids: if target_all { Vec::new() } else { cell_ids },
        attachments,
    };
    let officer = Officer::from(&scope.user);
    let outcome = office::publish_guidance(&state, &scope.commune.id, draft, &officer).await;
    after_action(&page, outcome.map(|_| "Đã gửi văn bản tới các chi bộ"))
}

async fn attachment(
    State(state): State<AppState>,
    scope: CommuneScope,
    Path((_, guidance_id, sha256)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let commune_id = scope.commune.id.clone();
    let storage = state.storage.clone();
    let guidance: Option<chibo_domain::model::Guidance> = blocking(move || {
        Ok(storage::read(&*storage, |tx| {
            CommuneDocs::new(tx, &commune_id).get(GUIDANCE, &guidance_id)
        })?)
    })
    .await?;
    let attachment = guidance
        .and_then(|g| g.attachments.into_iter().find(|a| a.sha256 == sha256))
        .ok_or(PageError::NotFound)?;
    let id = BlobId::parse(&attachment.sha256).ok_or(PageError::NotFound)?;
    let blob = state
        .blobs
        .open(&id)
        .await
        .map_err(|e| match e {
            BlobError::Backend(detail) => {
                tracing::error!(%detail, "dashboard: blob store unavailable");
                PageError::Unavailable
            }
            e => PageError::Internal(e.to_string()),
        })?
        .ok_or(PageError::NotFound)?;
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        attachment
            .file_name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            })
            .collect::<String>(),
        urlencode(&attachment.file_name)
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                media_type_of(&attachment.file_name).to_string(),
            ),
            (header::CONTENT_LENGTH, blob.size.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(ReaderStream::new(blob.reader)),
    )
        .into_response())
}

/// The media type a browser needs, from the file's extension.
fn media_type_of(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
