//! The `kith` binary as an operator first meets it: `kith --help` names every command and the
//! settings that matter on day one. (Building this test also builds the binary with the same features
//! as every other test, so `make test` compiles the workspace once; see the Makefile.)

use std::process::Command;

#[test]
fn the_binary_names_its_commands_and_first_settings() {
    let out = Command::new(env!("CARGO_BIN_EXE_kith"))
        .arg("--help")
        .output()
        .unwrap_or_else(|e| panic!("run kith --help: {e}"));
    assert!(out.status.success(), "kith --help failed: {}", String::from_utf8_lossy(&out.stderr));
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "worker", "migrate", "seed-demo", "openapi", "import"] {
        assert!(help.lines().any(|l| l.trim_start().starts_with(command)), "no `{command}` in:\n{help}");
    }
    for setting in ["--database-url", "--bind", "--data-dir", "DATABASE_URL", "KITH_BIND"] {
        assert!(help.contains(setting), "no {setting} in:\n{help}");
    }
}
