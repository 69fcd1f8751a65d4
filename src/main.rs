use clap::Parser;
use qwen_settings_ls::cli::{self, Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    install_panic_hook();
    let args = Cli::parse();
    match args.command {
        None => {
            init_logging();
            qwen_settings_ls::protocol::run_stdio()
        }
        Some(Command::Check {
            paths,
            format,
            rules,
        }) => cli::check(&paths, format, &rules),
        Some(Command::Doctor { format }) => cli::doctor(format),
    }
}

/// Logs go to stderr (stdout is the protocol). The level comes from `QWEN_SETTINGS_LS_LOG`
/// (default `warn`); the LSP framework's own message tracing is always off, because it would
/// print whole documents, keys included.
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("QWEN_SETTINGS_LS_LOG")
        .unwrap_or_else(|_| EnvFilter::new("warn"))
        .add_directive("tower_lsp_server=warn".parse().expect("valid directive"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

/// Panics are reported on stderr with their location and a message in which anything that looks
/// like a key is masked: a panic message may quote document text.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let masked = qwen_settings_ls::model::keys::mask_secrets(&payload);
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("qwen-settings-ls: internal error{location}: {}", masked);
    }));
}
