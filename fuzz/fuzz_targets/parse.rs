#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qwen_settings_ls_fuzz::check_parse(data));
