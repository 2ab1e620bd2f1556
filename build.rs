//! Tells the conformance tests whether the shared reference data sits beside the
//! repository (`../shared/data/ccmppwpp-canada`), so that they are reported as ignored,
//! with the reason, where it is absent.

fn main() {
    let shared = std::path::Path::new("../shared/data/ccmppwpp-canada");
    println!("cargo::rustc-check-cfg=cfg(shared_data)");
    println!("cargo::rerun-if-changed=../shared/data");
    if shared.is_dir() {
        println!("cargo::rustc-cfg=shared_data");
    }
}
