//! Access tests generated from the published spec: across organizations, and by role and record
//! scope inside one.

mod cross_tenant;
mod replays;
mod role_matrix;
pub mod samples;
pub mod spec;

/// Every JSON request body of an authenticated operation has a sample, so generated calls are valid.
#[test]
fn every_request_body_has_a_sample() {
    let missing: Vec<String> = spec::operations()
        .iter()
        .filter(|op| !op.is_public())
        .filter_map(|op| op.body_schema_name().filter(|n| !samples::SAMPLES.iter().any(|(s, _)| s == n)))
        .collect();
    assert!(missing.is_empty(), "add samples to tests/api/access/samples.rs for {missing:?}");
}
