//! The media store contract on the in-memory fake, so the fake the other
//! tests lean on behaves as the real stores do (letao-media runs the same
//! contract on the local folder and on S3).

use letao_shop::media::{MediaStore, MemoryMedia};
use std::sync::Arc;

fn fake() -> Arc<dyn MediaStore> {
    Arc::new(MemoryMedia::new())
}

letao_shop::media_contract!(fake());
