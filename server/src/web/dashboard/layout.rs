//! What every page shares: the chrome around it (navigation, who is signed in, the
//! commune), the error pages, and running storage work off the async threads.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::docs::CommuneDocs;
use crate::error::ApiError;
use crate::storage::{CommuneRow, StorageError, StorageResult};

use crate::accounts::sessions::{DashboardUser, SessionError};
use crate::office::{OfficeError, Officer};

/// The navigation entries, in the order the menu shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nav {
    Overview,
    Cells,
    Cadres,
    Petitions,
    Guidance,
    People,
    /// The commune's dashboard accounts: in the menu of its admins only.
    Accounts,
    /// The commune's rule settings: in the menu of its admins only.
    RuleSettings,
    /// The province's rollup: in the province admin's menu.
    Province,
    /// The province's viewer accounts: in the province admin's menu only.
    ProvinceAccounts,
    /// A page outside the menu (a meeting, the commune list of a province viewer).
    None,
}

pub struct NavLink {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// The frame of a signed-in page: base.html reads it.
pub struct Chrome {
    pub user: DashboardUser,
    pub commune: Option<CommuneRow>,
    pub active: Nav,
    /// The page's own title, before " – Sổ Chi bộ".
    pub title: String,
}

impl Chrome {
    pub fn new(
        user: DashboardUser,
        commune: Option<CommuneRow>,
        active: Nav,
        title: impl Into<String>,
    ) -> Chrome {
        Chrome {
            user,
            commune,
            active,
            title: title.into(),
        }
    }

    /// The menu of the commune being viewed; outside a commune, the province admin's
    /// menu (the rollup and the viewer accounts), else empty.
    pub fn nav(&self) -> Vec<NavLink> {
        let Some(commune) = &self.commune else {
            if self.user.role != crate::accounts::users::DashboardRole::ProvinceAdmin {
                return Vec::new();
            }
            return [
                (
                    Nav::Province,
                    super::province::PROVINCE_PATH,
                    "Các xã của tỉnh",
                ),
                (
                    Nav::ProvinceAccounts,
                    super::accounts::PROVINCE_ACCOUNTS_PATH,
                    "Tài khoản xem của tỉnh",
                ),
            ]
            .into_iter()
            .map(|(nav, href, label)| NavLink {
                href: href.to_string(),
                label,
                current: nav == self.active,
            })
            .collect();
        };
        let base = commune_path(&commune.id);
        [
            (Nav::Overview, String::new(), "Tổng quan"),
            (Nav::Cells, "/cells".to_string(), "Chi bộ"),
            (Nav::Cadres, "/cadres".to_string(), "Cán bộ dự sinh hoạt"),
            (Nav::Petitions, "/petitions".to_string(), "Kiến nghị"),
            (
                Nav::Guidance,
                "/guidance".to_string(),
                "Định hướng, thông báo",
            ),
            (Nav::People, "/people".to_string(), "Người dùng, thiết bị"),
            (
                Nav::Accounts,
                "/accounts".to_string(),
                "Tài khoản văn phòng",
            ),
            (
                Nav::RuleSettings,
                "/rule-settings".to_string(),
                "Quy định chấm điểm",
            ),
        ]
        .into_iter()
        .filter(|(nav, _, _)| {
            !matches!(nav, Nav::Accounts | Nav::RuleSettings)
                || crate::access::dashboard_may_write(&self.user, commune)
        })
        .map(|(nav, suffix, label)| NavLink {
            href: format!("{base}{suffix}"),
            label,
            current: nav == self.active,
        })
        .collect()
    }
}

/// `/communes/{id}`: the root of a commune's pages.
pub fn commune_path(commune_id: &str) -> String {
    format!("/communes/{}", urlencode(commune_id))
}

/// Percent-encodes one path segment or query value.
pub fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Why a page could not be shown. Rendered as a Vietnamese error page; details go to
/// the log.
#[derive(Debug)]
pub enum PageError {
    NotFound,
    Forbidden,
    BadRequest(String),
    Unavailable,
    Internal(String),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

impl PageError {
    fn status(&self) -> StatusCode {
        match self {
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Forbidden => StatusCode::FORBIDDEN,
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (title, message) = match &self {
            PageError::NotFound => (
                "Không tìm thấy trang",
                "Trang này không có, hoặc tài khoản của đồng chí không được xem.".to_string(),
            ),
            PageError::Forbidden => (
                "Không có quyền",
                "Tài khoản của đồng chí chỉ được xem, không được thay đổi dữ liệu này.".to_string(),
            ),
            PageError::BadRequest(message) => ("Dữ liệu chưa hợp lệ", message.clone()),
            PageError::Unavailable => (
                "Máy chủ đang bận",
                "Cơ sở dữ liệu chưa sẵn sàng; đồng chí thử lại sau ít phút.".to_string(),
            ),
            PageError::Internal(detail) => {
                tracing::error!(%detail, "dashboard page failed");
                (
                    "Lỗi máy chủ",
                    "Đã có lỗi khi hiển thị trang; đồng chí thử lại sau.".to_string(),
                )
            }
        };
        let body = ErrorPage {
            title,
            message: &message,
        }
        .render()
        .unwrap_or_else(|_| message.clone());
        (self.status(), Html(body)).into_response()
    }
}

impl From<StorageError> for PageError {
    fn from(e: StorageError) -> PageError {
        match e {
            StorageError::Unavailable(detail) => {
                tracing::warn!(%detail, "dashboard: storage unavailable");
                PageError::Unavailable
            }
            StorageError::Retry => PageError::Unavailable,
            other => PageError::Internal(other.to_string()),
        }
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        match e {
            ApiError::NotFound(_) => PageError::NotFound,
            ApiError::Forbidden(_) => PageError::Forbidden,
            ApiError::Unavailable => PageError::Unavailable,
            ApiError::Internal(detail) => PageError::Internal(detail),
            other => PageError::BadRequest(other.to_string()),
        }
    }
}

impl From<SessionError> for PageError {
    fn from(e: SessionError) -> PageError {
        match e {
            SessionError::NoRandomness(detail) => {
                PageError::Internal(format!("no randomness: {detail}"))
            }
            SessionError::Storage(e) => e.into(),
        }
    }
}

impl From<OfficeError> for PageError {
    fn from(e: OfficeError) -> Self {
        match e {
            OfficeError::Refused(message) => PageError::BadRequest(message),
            OfficeError::NotFound(_) => PageError::NotFound,
            OfficeError::Storage(e) => e.into(),
            OfficeError::Blob(detail) => PageError::Internal(detail),
        }
    }
}

/// The office actions are taken for the signed-in user.
impl From<&DashboardUser> for Officer {
    fn from(user: &DashboardUser) -> Officer {
        Officer {
            id: user.id.clone(),
            name: user.display_name.clone(),
            username: user.username.clone(),
            client_ip: user.client_ip.clone(),
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> PageError {
        PageError::Internal(format!("template: {e}"))
    }
}

/// Renders a page template.
pub fn render(template: &impl Template) -> Result<Html<String>, PageError> {
    Ok(Html(template.render()?))
}

/// Reads one commune's documents in a read transaction, off the async threads.
pub async fn read_docs<T: Send + 'static>(
    state: &crate::AppState,
    commune_id: &str,
    mut f: impl FnMut(&CommuneDocs) -> StorageResult<T> + Send + 'static,
) -> Result<T, PageError> {
    let storage = state.storage.clone();
    let commune_id = commune_id.to_string();
    blocking(move || {
        Ok(crate::storage::read(&*storage, |tx| {
            f(&CommuneDocs::new(tx, &commune_id))
        })?)
    })
    .await
}

/// Runs storage work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PageError> + Send + 'static,
) -> Result<T, PageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PageError::Internal(format!("blocking task: {e}")))?
}
