//! Attachments on leads: a file goes up streamed, comes back byte for byte as a download that never
//! runs in the browser, is refused when it is too large or not what its name says, never chooses
//! where it is stored, is seen only by those who may see its lead, and goes through the recycle bin
//! to a purge that removes its bytes too.

use std::path::{Path, PathBuf};

use diesel::{QueryDsl, RunQueryDsl};
use kith_client::{Client, ClientError};
use kith_domain::core::attachments::AttachmentView;
use kith_domain::core::audit::{AuditAction, AuditQuery};
use kith_domain::leads::*;
use kith_domain::{AttachmentId, ErrorCode, LeadId};
use kith_tests::TestApp;

const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";

fn refusal(e: &ClientError) -> (Option<u16>, Option<ErrorCode>) {
    (e.status(), e.problem().map(|p| p.code))
}

const HIDDEN: (Option<u16>, Option<ErrorCode>) = (Some(404), Some(ErrorCode::NotFound));

async fn lead(client: &Client, name: &str, owner: Option<kith_domain::UserId>) -> LeadId {
    client
        .create_lead(&NewLead {
            first_name: name.into(),
            email: Some(format!("{}.{}@files.test", name.to_lowercase(), uuid::Uuid::now_v7().simple())),
            owner_id: owner,
            ..Default::default()
        })
        .await
        .expect("lead")
        .id
}

fn stored_files(app: &TestApp) -> Vec<PathBuf> {
    kith_tests::walk(&app.data_dir)
}

fn attachment_rows(app: &TestApp) -> i64 {
    use kith_db::schema::attachments;
    let mut conn = app.pool.get().expect("conn");
    attachments::table.count().get_result(&mut *conn).expect("count")
}

/// A raw upload (any content type, any headers), answered with status, headers and body.
async fn post_raw(
    app: &TestApp,
    client: &Client,
    lead: LeadId,
    name: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let r = app
        .http()
        .post(app.url(&format!("/api/v1/leads/{lead}/attachments")))
        .bearer_auth(client.access_token().expect("token"))
        .query(&[("name", name)])
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

async fn download(app: &TestApp, client: &Client, id: AttachmentId) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let r = app
        .http()
        .get(app.url(&format!("/api/v1/attachments/{id}/content")))
        .bearer_auth(client.access_token().expect("token"))
        .send()
        .await
        .expect("download");
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    (status, headers, r.bytes().await.expect("bytes").to_vec())
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

#[tokio::test]
async fn a_file_attached_to_a_lead_is_listed_and_downloads_byte_for_byte_as_a_safe_download() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signup("Files").await;
    let lead = lead(&admin, "Paula", None).await;
    let mut bytes = PDF.to_vec();
    bytes.extend((0..200_000u32).map(|i| (i % 251) as u8)); // binary content, several chunks
    let view = admin.upload_lead_attachment(lead, "Angebot März.pdf", bytes.clone()).await.expect("upload");
    assert_eq!(view.file_name, "Angebot März.pdf");
    assert_eq!(view.content_type, "application/pdf");
    assert_eq!(view.size, bytes.len() as i64);
    assert_eq!((view.record_kind.as_str(), view.record_id.clone()), ("lead", lead.to_string()));
    assert_eq!(view.uploaded_by, Some(me.user.id.to_string()));
    assert_eq!(view.sha256.len(), 64);

    let listed = admin.lead_attachments(lead, &Default::default()).await.expect("list");
    assert_eq!(listed.items, vec![view.clone()]);
    assert_eq!(admin.get_attachment(view.id).await.expect("metadata"), view);

    let (status, headers, body) = download(&app, &admin, view.id).await;
    assert_eq!(status, 200);
    assert!(body == bytes, "the exact bytes come back");
    assert_eq!(header(&headers, "content-type"), "application/pdf");
    assert_eq!(
        header(&headers, "content-disposition"),
        "attachment; filename=\"Angebot M_rz.pdf\"; filename*=UTF-8''Angebot%20M%C3%A4rz.pdf"
    );
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    assert!(header(&headers, "content-security-policy").starts_with("sandbox"), "{headers:?}");
    assert_eq!(header(&headers, "cache-control"), "private, no-store");
    assert_eq!(admin.download_attachment(view.id).await.expect("client download"), bytes);

    // On the lead's timeline, and in the audit trail.
    let events = admin.lead_events(lead).await.expect("events");
    assert!(events
        .iter()
        .any(|e| e.kind == LeadEventKind::AttachmentAdded && e.note.as_deref() == Some("Angebot März.pdf")));
    let trail = admin
        .audit(&AuditQuery {
            entity: Some("attachment".into()),
            entity_id: Some(view.id.to_string()),
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(trail.items.iter().map(|e| e.action).collect::<Vec<_>>(), [AuditAction::Create]);

    // One file on disk, under the attachment store, named by the server.
    let files = stored_files(&app);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].starts_with(app.data_dir.join("attachments/files")), "{files:?}");
    assert_eq!(std::fs::read(&files[0]).expect("stored"), bytes);
}

#[tokio::test]
async fn a_retried_upload_with_the_same_idempotency_key_keeps_one_file() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Retry").await;
    let lead = lead(&admin, "Rene", None).await;
    let send = || async {
        let r = admin
            .request(reqwest::Method::POST, &format!("/api/v1/leads/{lead}/attachments"))
            .query(&[("name", "notes.txt")])
            .header("content-type", "application/octet-stream")
            .header("idempotency-key", "upload-1")
            .body("call notes\n")
            .send()
            .await
            .expect("upload");
        (
            r.status().as_u16(),
            r.headers().contains_key("idempotent-replayed"),
            r.json::<AttachmentView>().await.expect("view"),
        )
    };
    let (first, replayed_first, a) = send().await;
    let (second, replayed_second, b) = send().await;
    assert_eq!((first, second, replayed_first, replayed_second), (201, 201, false, true));
    assert_eq!(a.id, b.id);
    assert_eq!(attachment_rows(&app), 1);
    assert_eq!(stored_files(&app).len(), 1, "the replay's copy is not kept");
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_with_413_and_nothing_is_kept() {
    let app = TestApp::spawn_with(|c| c.attachment_max_bytes = 1000).await;
    let (admin, _) = app.signup("Limits").await;
    let lead = lead(&admin, "Lars", None).await;
    // Declared up front.
    let e = admin.upload_lead_attachment(lead, "big.txt", vec![b'a'; 1001]).await.expect_err("too large");
    assert_eq!(refusal(&e), (Some(413), Some(ErrorCode::PayloadTooLarge)));
    // Streamed without a length: cut off as it passes the limit.
    let (status, body) = chunked_upload(&app, &admin, lead, "big.txt", &[vec![b'a'; 600], vec![b'b'; 600]]).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("payload_too_large"), "{body}");
    // Exactly the limit is fine.
    admin.upload_lead_attachment(lead, "fits.txt", vec![b'a'; 1000]).await.expect("at the limit");
    assert_eq!(attachment_rows(&app), 1);
    assert_eq!(stored_files(&app).len(), 1, "no spool or stored file left of the refused uploads");
}

/// An upload sent with `Transfer-Encoding: chunked` (no Content-Length), by hand.
async fn chunked_upload(app: &TestApp, client: &Client, lead: LeadId, name: &str, chunks: &[Vec<u8>]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let head = format!(
        "POST /api/v1/leads/{lead}/attachments?name={name} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        client.access_token().expect("token")
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    for chunk in chunks {
        let framed = [format!("{:x}\r\n", chunk.len()).into_bytes(), chunk.clone(), b"\r\n".to_vec()].concat();
        if stream.write_all(&framed).await.is_err() {
            break; // the server may answer and close before the rest is sent
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer)
}

#[tokio::test]
async fn html_svg_and_files_whose_bytes_lie_are_refused_and_text_with_a_script_only_downloads() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Safety").await;
    let lead = lead(&admin, "Hedy", None).await;
    let script = b"<html><body><script>alert(document.cookie)</script></body></html>".to_vec();
    for name in ["page.html", "Page.HTM", "logo.svg"] {
        let e = admin.upload_lead_attachment(lead, name, script.clone()).await.expect_err(name);
        assert_eq!(refusal(&e), (Some(415), Some(ErrorCode::UnsupportedMediaType)), "{name}");
        let detail = e.problem().and_then(|p| p.detail.clone()).unwrap_or_default();
        assert!(detail.contains("HTML and SVG"), "{name}: {detail}");
    }
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    let e = admin.upload_lead_attachment(lead, "logo.png", svg).await.expect_err("svg named png");
    assert_eq!(refusal(&e), (Some(415), Some(ErrorCode::UnsupportedMediaType)));
    let e = admin.upload_lead_attachment(lead, "offer.pdf", script.clone()).await.expect_err("not a pdf");
    assert_eq!(refusal(&e), (Some(415), Some(ErrorCode::UnsupportedMediaType)));
    assert!(e.problem().and_then(|p| p.detail.clone()).unwrap_or_default().contains("not a .pdf file"));
    let e = admin.upload_lead_attachment(lead, "notes.txt", b"caf\xE9\0".to_vec()).await.expect_err("not text");
    assert_eq!(refusal(&e), (Some(415), Some(ErrorCode::UnsupportedMediaType)));
    // A body that is not the raw file (a form upload) is refused too.
    let (status, _) =
        post_raw(&app, &admin, lead, "notes.txt", "multipart/form-data; boundary=x", b"--x--".to_vec()).await;
    assert_eq!(status, 415);
    assert_eq!(attachment_rows(&app), 0);
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));

    // A text file may say anything; it is served as plain text, as a download, in a sandbox.
    let text = admin.upload_lead_attachment(lead, "notes.txt", script.clone()).await.expect("text");
    assert_eq!(text.content_type, "text/plain; charset=utf-8");
    let (status, headers, body) = download(&app, &admin, text.id).await;
    assert_eq!((status, body), (200, script));
    assert_eq!(header(&headers, "content-type"), "text/plain; charset=utf-8");
    assert!(header(&headers, "content-disposition").starts_with("attachment; filename=\"notes.txt\""));
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    assert!(header(&headers, "content-security-policy").starts_with("sandbox"));
}

#[tokio::test]
async fn a_name_with_path_segments_is_shown_as_its_last_segment_and_never_chooses_where_the_file_goes() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Paths").await;
    let lead = lead(&admin, "Pat", None).await;
    let a =
        admin.upload_lead_attachment(lead, "../../../../etc/passwd.txt", b"root:x:0:0\n".to_vec()).await.expect("a");
    let b = admin.upload_lead_attachment(lead, "..\\..\\x.pdf", PDF.to_vec()).await.expect("b");
    let c = admin.upload_lead_attachment(lead, "re\u{202E}txt.pdf\r\n", PDF.to_vec()).await.expect("c");
    assert_eq!(
        (a.file_name.as_str(), b.file_name.as_str(), c.file_name.as_str()),
        ("passwd.txt", "x.pdf", "retxt.pdf")
    );
    let e = admin.upload_lead_attachment(lead, "../..", PDF.to_vec()).await.expect_err("no name left");
    assert_eq!(refusal(&e).0, Some(422));
    let root = app.data_dir.join("attachments").join("files");
    let files = stored_files(&app);
    assert_eq!(files.len(), 3, "{files:?}");
    for f in &files {
        assert!(f.starts_with(&root), "{f:?} is outside {root:?}");
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(name.parse::<uuid::Uuid>().is_ok(), "a server-made name: {f:?}");
    }
    assert!(!Path::new("/etc/passwd.txt").exists());
}

#[tokio::test]
async fn a_rep_limited_to_own_leads_and_another_organization_reach_no_attachment_of_a_lead_they_cannot_see() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Reps").await;
    let (sam, sam_me) = app.add_user(&admin, "sales", "Sam Seller").await;
    let (rita, rita_me) = app.add_user(&admin, "sales", "Rita Rep").await;
    let sams = lead(&admin, "Sams", Some(sam_me.user.id)).await;
    let ritas = lead(&admin, "Ritas", Some(rita_me.user.id)).await;
    let file = sam.upload_lead_attachment(sams, "plan.txt", b"the plan\n".to_vec()).await.expect("sam uploads");
    let (other, _) = app.signup("Elsewhere").await;

    for (who, client) in [("rita", &rita), ("another organization", &other)] {
        let hidden = |e: ClientError| assert_eq!(refusal(&e), HIDDEN, "{who}");
        hidden(client.lead_attachments(sams, &Default::default()).await.expect_err("list"));
        hidden(client.get_attachment(file.id).await.expect_err("get"));
        hidden(client.download_attachment(file.id).await.expect_err("download"));
        hidden(client.delete_attachment(file.id).await.expect_err("delete"));
        hidden(client.upload_lead_attachment(sams, "x.txt", b"x".to_vec()).await.expect_err("upload"));
        let (status, _, _) = download(&app, client, file.id).await;
        assert_eq!(status, 404, "{who}");
    }
    // Refused uploads stored nothing; Sam's file is untouched.
    assert_eq!(sam.lead_attachments(sams, &Default::default()).await.expect("list").items, vec![file.clone()]);
    assert_eq!(stored_files(&app).len(), 1);
    // Rita works with her own lead's files.
    let hers = rita.upload_lead_attachment(ritas, "mine.txt", b"mine\n".to_vec()).await.expect("her own");
    rita.delete_attachment(hers.id).await.expect("delete her own");
    assert_eq!(rita.restore_attachment(hers.id).await.expect("restore her own").id, hers.id);
}

#[tokio::test]
async fn a_role_that_only_reads_leads_downloads_but_cannot_attach_or_delete() {
    use kith_domain::core::permissions::{BuiltinRole, ModuleAccess, Permissions, RecordScope};
    use kith_domain::identity::{NewRole, UserPatch};
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Readers").await;
    let reader_role = admin
        .create_role(&NewRole {
            name: "Lead reader".into(),
            permissions: Permissions {
                leads: ModuleAccess::read(RecordScope::All),
                ..BuiltinRole::Support.permissions()
            },
        })
        .await
        .expect("role");
    let (reader, reader_me) = app.add_user(&admin, "support", "Rhea Reader").await;
    let user = admin.get_user(reader_me.user.id).await.expect("user");
    admin
        .update_user(user.id, user.version, &UserPatch { role_id: Some(reader_role.id), ..Default::default() })
        .await
        .expect("reader role");
    let lead = lead(&admin, "Rhea", None).await;
    let file = admin.upload_lead_attachment(lead, "terms.pdf", PDF.to_vec()).await.expect("upload");
    assert_eq!(reader.lead_attachments(lead, &Default::default()).await.expect("list").items, vec![file.clone()]);
    assert_eq!(reader.download_attachment(file.id).await.expect("download"), PDF);
    let e = reader.upload_lead_attachment(lead, "x.pdf", PDF.to_vec()).await.expect_err("attach");
    assert_eq!(refusal(&e), (Some(403), Some(ErrorCode::Forbidden)));
    let e = reader.delete_attachment(file.id).await.expect_err("delete");
    assert_eq!(refusal(&e), (Some(403), Some(ErrorCode::Forbidden)));
    assert_eq!(attachment_rows(&app), 1);
    assert_eq!(stored_files(&app).len(), 1);
}

#[tokio::test]
async fn a_deleted_attachment_waits_in_the_recycle_bin_comes_back_and_is_purged_with_its_bytes_after_30_days() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Bin").await;
    let lead = lead(&admin, "Bert", None).await;
    let file = admin.upload_lead_attachment(lead, "contract.pdf", PDF.to_vec()).await.expect("upload");
    admin.delete_attachment(file.id).await.expect("delete");
    assert_eq!(refusal(&admin.get_attachment(file.id).await.expect_err("gone")), HIDDEN);
    assert_eq!(refusal(&admin.download_attachment(file.id).await.expect_err("gone")), HIDDEN);
    assert!(admin.lead_attachments(lead, &Default::default()).await.expect("list").items.is_empty());
    let events = admin.lead_events(lead).await.expect("events");
    assert!(events.iter().any(|e| e.kind == LeadEventKind::AttachmentRemoved));

    // The recycle bin lists it and restores it through the generic restore.
    let bin = admin.recycle_bin(&Default::default()).await.expect("bin");
    let item = bin.items.iter().find(|i| i.entity == "attachment").expect("in the bin");
    assert_eq!((item.entity_id.as_str(), item.label.as_str()), (file.id.to_string().as_str(), "contract.pdf"));
    admin.restore_from_bin(item).await.expect("restore");
    assert_eq!(admin.download_attachment(file.id).await.expect("back"), PDF);

    // Deleted again and left for 31 days: the purge removes the row and the file.
    admin.delete_attachment(file.id).await.expect("delete again");
    app.advance(chrono::Duration::days(31));
    app.run_worker();
    assert_eq!(attachment_rows(&app), 0);
    assert!(stored_files(&app).is_empty(), "{:?}", stored_files(&app));
    // Every step is in the audit trail (the session has long expired: read it from the database).
    use diesel::ExpressionMethods;
    use kith_db::schema::audit_log;
    let mut conn = app.pool.get().expect("conn");
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::entity_id.eq(file.id.to_string()))
        .select(audit_log::action)
        .order(audit_log::id)
        .load(&mut *conn)
        .expect("trail");
    assert_eq!(actions, ["create", "delete", "restore", "delete", "purge"]);
}

#[tokio::test]
async fn a_purged_lead_takes_its_attachments_and_their_bytes_along() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signup("Parents").await;
    let lead = lead(&admin, "Gone", None).await;
    let kept = self::lead(&admin, "Kept", None).await;
    let file = admin.upload_lead_attachment(lead, "a.pdf", PDF.to_vec()).await.expect("upload");
    admin.upload_lead_attachment(kept, "b.pdf", PDF.to_vec()).await.expect("upload");
    admin.delete_lead(lead).await.expect("delete the lead");
    assert_eq!(refusal(&admin.get_attachment(file.id).await.expect_err("its lead is deleted")), HIDDEN);
    app.advance(chrono::Duration::days(31));
    app.run_worker();
    assert_eq!(attachment_rows(&app), 1, "the other lead's file stays");
    assert_eq!(stored_files(&app).len(), 1);
}
