//! `hash`: digests and HMACs of bytes or text (text as its UTF-8), as
//! Python's `hashlib` and `hmac`. `hash.sha256(data?)` is a hasher that
//! takes more data with `update` and gives its digest with `hex()` or
//! `digest()` at any point (the state goes on: more updates may follow).
//! The SHA family and HMAC are ring's (already in the build for TLS, with
//! its assembly); MD5, which ring leaves out, is RustCrypto's `md-5`.

use crate::{Args, Module, NativeCtx, NativeObject, NativeResult, ScriptError, Value};
use md5::Digest as _;
use ring::{digest, hmac};
use std::cell::RefCell;

/// The digests, by the names Python's `hashlib` gives them.
const DIGESTS: &[&str] = &["md5", "sha1", "sha256", "sha384", "sha512"];

pub(crate) fn module() -> Module {
    let mut m = Module::new("hash").object::<Hasher>();
    for &name in DIGESTS {
        m = m.raw(name, move |_ctx, mut args| {
            let data: Option<Value> = args.next_opt("data")?;
            args.finish()?;
            let h = Hasher::new(name, State::digest(name));
            if let Some(d) = data {
                h.update(&format!("hash.{name}"), &d)?;
            }
            Ok(Value::object(h))
        });
    }
    m.raw("hmac", |_ctx, mut args| {
        let key: Value = args.next("key")?;
        let data: Value = args.next("data")?;
        let algo: Option<String> = args.named("digest")?;
        args.finish()?;
        let key = super::bytes::data_arg("hash.hmac", "key", &key)?;
        let algo = algo.unwrap_or_else(|| "sha256".into());
        let alg = match algo.as_str() {
            "sha1" => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            "sha256" => hmac::HMAC_SHA256,
            "sha384" => hmac::HMAC_SHA384,
            "sha512" => hmac::HMAC_SHA512,
            other => {
                return Err(ScriptError::value_error(format!(
                    "hash.hmac() has no digest {other:?}"
                ))
                .with_help("the HMAC digests are \"sha1\", \"sha256\", \"sha384\" and \"sha512\""))
            }
        };
        let ctx = hmac::Context::with_key(&hmac::Key::new(alg, &key));
        let h = Hasher::new(hmac_name(&algo), State::Hmac(Box::new(ctx)));
        h.update("hash.hmac", &data)?;
        Ok(Value::object(h))
    })
}

fn hmac_name(algo: &str) -> &'static str {
    match algo {
        "sha1" => "hmac-sha1",
        "sha256" => "hmac-sha256",
        "sha384" => "hmac-sha384",
        _ => "hmac-sha512",
    }
}

/// A digest in progress.
#[derive(Clone)]
enum State {
    Ring(digest::Context),
    Md5(md5::Md5),
    Hmac(Box<hmac::Context>),
}

impl State {
    fn digest(name: &str) -> State {
        let alg = match name {
            "md5" => return State::Md5(md5::Md5::new()),
            "sha1" => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            "sha256" => &digest::SHA256,
            "sha384" => &digest::SHA384,
            _ => &digest::SHA512,
        };
        State::Ring(digest::Context::new(alg))
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            State::Ring(c) => c.update(data),
            State::Md5(c) => c.update(data),
            State::Hmac(c) => c.update(data),
        }
    }

    /// The digest of what was fed so far (of a copy: the state goes on).
    fn finish(&self) -> Vec<u8> {
        match self.clone() {
            State::Ring(c) => c.finish().as_ref().to_vec(),
            State::Md5(c) => c.finalize().to_vec(),
            State::Hmac(c) => c.sign().as_ref().to_vec(),
        }
    }
}

/// What `hash.sha256()` and `hash.hmac(...)` return.
struct Hasher {
    name: &'static str,
    state: RefCell<State>,
}

impl Hasher {
    fn new(name: &'static str, state: State) -> Hasher {
        Hasher {
            name,
            state: RefCell::new(state),
        }
    }

    fn update(&self, fname: &str, data: &Value) -> Result<(), ScriptError> {
        let data = super::bytes::data_arg(fname, "data", data)?;
        self.state.borrow_mut().update(&data);
        Ok(())
    }
}

impl NativeObject for Hasher {
    fn type_name(&self) -> &'static str {
        "hasher"
    }
    fn methods() -> &'static [&'static str] {
        &["update", "hex", "digest", "copy", "name"]
    }
    fn repr(&self) -> String {
        format!("<hasher {}>", self.name)
    }
    fn method(&self, _ctx: &mut NativeCtx<'_>, name: &str, mut args: Args) -> Option<NativeResult> {
        let r = match name {
            "update" => (|| {
                let data: Value = args.next("data")?;
                args.finish()?;
                self.update("hasher.update", &data)?;
                Ok(Value::Nil)
            })(),
            "hex" | "digest" | "copy" | "name" => args.finish().map(|()| match name {
                "hex" => Value::str(&hex(self.state.borrow().finish())),
                "digest" => Value::bytes(self.state.borrow().finish()),
                "name" => Value::str(self.name),
                _ => Value::object(Hasher::new(self.name, self.state.borrow().clone())),
            }),
            _ => return None,
        };
        Some(r)
    }
}

/// A digest's `hex()`: as a bytes value's `b.hex()` shows it.
fn hex(digest: Vec<u8>) -> String {
    Value::bytes(digest).hex("").unwrap_or_default()
}
