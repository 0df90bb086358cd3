//! The phone app as a process of its own, so a test can kill it for real mid-sync:
//! `phone_app <phone dir>` opens the phone kept there and syncs once.

use std::path::Path;
use std::process::ExitCode;

use chibo_demo::Phone;

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("Cách dùng: phone_app <thư mục của điện thoại>");
        return ExitCode::from(2);
    };
    let phone = match Phone::open("app", Path::new(&dir)) {
        Ok(phone) => phone,
        Err(e) => {
            eprintln!("Lỗi: {e}");
            return ExitCode::FAILURE;
        }
    };
    match phone.sync() {
        Ok(report) => {
            println!("{}", report.summary);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Lỗi: {e}");
            ExitCode::FAILURE
        }
    }
}
