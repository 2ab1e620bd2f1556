//! The smallest use of popalloc from another Rust tool: load the default scenario,
//! project it, and read one number.

fn main() -> Result<(), popalloc::Error> {
    let yuzhong = popalloc::Scenario::yuzhong()?;
    let projection = yuzhong.project(yuzhong.horizon())?;
    let elderly = yuzhong.band_index("elderly").map(|b| &yuzhong.bands[b]);
    if let (Some((year, population)), Some(band)) = (projection.horizon(), elderly) {
        let district = population.aggregate("district");
        println!(
            "{year}: {:.0} residents aged 60+ of {:.0}",
            district.band_total(0, band),
            district.total()
        );
    }
    Ok(())
}
