//! `POST /admin/images`: one image in the multipart field `file`, read
//! with a hard cap (after the role check), checked and stripped by the shop, stored by content.

use super::Editor;
use crate::replies::{ImageReply, OK};
use crate::{ApiError, AppState};
use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use letao_shop::owners::images::{CleanImage, MAX_IMAGE_BYTES};

/// Room for the multipart framing around the file.
const FRAMING_BYTES: usize = 16 * 1024;

/// Reads the multipart field `file` (one, at most 2 MiB) and nothing
/// else; stops reading as soon as the body is too large.
async fn read_file(req: &HttpRequest, payload: web::Payload) -> Result<web::Bytes, ApiError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_IMAGE_BYTES + FRAMING_BYTES) {
        return Err(ApiError::PayloadTooLarge);
    }
    let not_multipart =
        || ApiError::invalid("file", "send the image as multipart/form-data field `file`");
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut file: Option<web::BytesMut> = None;
    let mut other_bytes = 0usize;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| not_multipart())?;
        let is_file = field.name() == Some("file");
        if is_file && file.is_some() {
            return Err(ApiError::invalid("file", "send one file"));
        }
        let mut buf = web::BytesMut::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| not_multipart())?;
            if is_file {
                if buf.len() + chunk.len() > MAX_IMAGE_BYTES {
                    return Err(ApiError::PayloadTooLarge);
                }
                buf.extend_from_slice(&chunk);
            } else {
                other_bytes += chunk.len();
                if other_bytes > FRAMING_BYTES {
                    return Err(ApiError::PayloadTooLarge);
                }
            }
        }
        if is_file {
            file = Some(buf);
        }
    }
    file.map(web::BytesMut::freeze)
        .ok_or_else(|| ApiError::invalid("file", "is missing"))
}

/// `POST /admin/images` (multipart field `file`: PNG, JPEG or WebP by
/// content, at most 2 MiB) -> `{status, url}`
pub async fn upload_image(
    req: HttpRequest,
    state: web::Data<AppState>,
    owner: Editor,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let bytes = read_file(&req, payload).await?;
    let image = CleanImage::from_upload(bytes).map_err(|e| ApiError::invalid("file", e))?;
    let name = state.owners.store_image(&owner.0, &image).await?;
    Ok(HttpResponse::Ok().json(ImageReply {
        status: OK,
        url: format!("/media/{name}"),
    }))
}
