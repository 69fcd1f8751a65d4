//! Conformance with the real CLI: runs `@qwen-code/qwen-code@0.24.4` (`qwen -p hi`) over the
//! scenarios of `tests/conformance/scenarios.mjs` against a mock endpoint on 127.0.0.1, and checks
//! that `qwen-settings-ls doctor --format json` predicts the request URL, the model and the key
//! (masked, and its source) that the mock receives. See `tests/conformance/run.mjs`.
//!
//! The CLI and a Node 22 binary are installed from the npm registry into `.tools/qwen-code/` by
//! `tests/conformance/install.sh` (once; `.ci/run` calls it before `cargo test`). When that is
//! impossible (no npm, no registry) the test is skipped with a message, and fails under `CI`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

const DOCTOR: &str = env!("CARGO_BIN_EXE_qwen-settings-ls");
const REPO: &str = env!("CARGO_MANIFEST_DIR");
/// Bound on the whole suite; the runner bounds every CLI run (60 s) and itself (300 s) too.
const TIMEOUT: Duration = Duration::from_secs(420);

struct Tools {
    node: PathBuf,
    qwen: PathBuf,
}

/// Writes straight to stderr: libtest captures `eprintln!`, not direct writes.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// The installed CLI and node, or `None` (after saying why) when the suite must be skipped.
fn tools() -> Option<Tools> {
    match install() {
        Ok(tools) => Some(tools),
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!("the conformance suite cannot run under CI: {why}")
        }
        Err(why) => {
            say(&format!(
                "SKIPPED: conformance suite against the real Qwen Code CLI: {why}"
            ));
            None
        }
    }
}

fn install() -> Result<Tools, String> {
    let script = Path::new(REPO).join("tests/conformance/install.sh");
    let out = Command::new("bash")
        .arg(&script)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let get = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| PathBuf::from(v.trim()))
    };
    match (out.status.code(), get("node="), get("qwen=")) {
        (Some(0), Some(node), Some(qwen)) if node.is_file() && qwen.is_file() => {
            Ok(Tools { node, qwen })
        }
        (Some(3), ..) => Err(
            "npm (or node) is not installed, so @qwen-code/qwen-code cannot be \
                              installed (tests/conformance/install.sh exited 3)"
                .into(),
        ),
        (code, ..) => Err(format!(
            "tests/conformance/install.sh failed (exit {code:?}); stdout:\n{stdout}"
        )),
    }
}

#[test]
fn doctor_predicts_what_the_real_cli_sends() {
    let Some(tools) = tools() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let stdout_path = tmp.path().join("stdout");
    let stderr_path = tmp.path().join("stderr");
    let report = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-report.json");
    let _ = fs::remove_file(&report);

    let mut child = Command::new(&tools.node)
        .arg(Path::new(REPO).join("tests/conformance/run.mjs"))
        .arg("--node")
        .arg(&tools.node)
        .arg("--qwen")
        .arg(&tools.qwen)
        .arg("--doctor")
        .arg(DOCTOR)
        .arg("--report")
        .arg(&report)
        .current_dir(REPO)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout_path).unwrap())
        .stderr(fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tools.node.display()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the conformance runner did not finish within {TIMEOUT:?}\n{}",
                fs::read_to_string(&stdout_path).unwrap_or_default()
            );
        }
        thread::sleep(Duration::from_millis(50));
    };
    let stdout = fs::read_to_string(&stdout_path).unwrap_or_default();
    let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
    say(&format!("{stdout}report: {}", report.display()));
    assert!(
        status.success(),
        "doctor disagrees with the real CLI ({status}); see above\n--- stderr ---\n{stderr}"
    );

    // The runner passed: make sure it really ran the scenarios.
    let report: Value = serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    let results = report["results"].as_array().unwrap();
    assert!(results.len() >= 10, "only {} scenarios ran", results.len());
    for r in results {
        assert!(
            r["requests"].as_array().is_some_and(|a| !a.is_empty())
                || !r["problems"].as_array().unwrap().is_empty(),
            "{}: no request and no problem recorded",
            r["name"]
        );
    }
}
