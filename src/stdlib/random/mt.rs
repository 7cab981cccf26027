//! CPython's `random.Random`, bit for bit: the Mersenne Twister of its
//! `_random` module (the `rand_mt` crate's MT19937, seeded with
//! `init_by_array` as `_random` seeds it), and the methods of
//! `Lib/random.py` (3.11) that draw from it. Every draw goes through the
//! same steps as Python's (`getrandbits`, `_randbelow`'s rejection loop,
//! `sample`'s two strategies), because a different but fair method would
//! draw other numbers from the same stream.

use rand_mt::Mt;

/// A generator that draws what CPython's `random` draws.
#[derive(Clone)]
pub(crate) struct PyRandom(Box<Mt>);

impl PyRandom {
    /// As `random.seed(n)`: the key is `abs(n)`'s 32-bit words, least
    /// significant first (one word, 0, for 0).
    pub(crate) fn seeded(n: i64) -> PyRandom {
        PyRandom::seeded_u64(n.unsigned_abs())
    }

    /// As `random.seed(n)` for a non-negative `n`.
    pub(crate) fn seeded_u64(n: u64) -> PyRandom {
        let lo = n as u32;
        let hi = (n >> 32) as u32;
        let key: &[u32] = if hi == 0 { &[lo] } else { &[lo, hi] };
        PyRandom(Box::new(Mt::new_with_key(key.iter().copied())))
    }

    /// `random()`: 53 random bits as `genrand_res53` makes them.
    pub(crate) fn random(&mut self) -> f64 {
        let a = self.0.next_u32() >> 5;
        let b = self.0.next_u32() >> 6;
        (f64::from(a) * 67_108_864.0 + f64::from(b)) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for `k <= 128`: whole 32-bit words from the least
    /// significant up, the last one cut to what is left (its top bits).
    pub(crate) fn getrandbits(&mut self, k: u32) -> u128 {
        debug_assert!(k <= 128);
        let mut r: u128 = 0;
        let mut left = k;
        let mut shift = 0;
        while left > 0 {
            let mut w = self.0.next_u32();
            if left < 32 {
                w >>= 32 - left;
            }
            r |= u128::from(w) << shift;
            shift += 32;
            left = left.saturating_sub(32);
        }
        r
    }

    /// `_randbelow(n)` (`_randbelow_with_getrandbits`), for `n > 0`:
    /// `n.bit_length()` bits, drawn again until below `n`.
    pub(crate) fn below(&mut self, n: u128) -> u128 {
        debug_assert!(n > 0);
        let k = 128 - n.leading_zeros();
        loop {
            let r = self.getrandbits(k);
            if r < n {
                return r;
            }
        }
    }

    /// An index below `len` (`len > 0`), as `choice` draws it.
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u128) as usize
    }

    /// `randrange(start, stop, step)` with a stop given; the error is
    /// Python's `ValueError` message.
    pub(crate) fn randrange(&mut self, start: i128, stop: i128, step: i128) -> Result<i64, String> {
        let width = stop - start;
        let pick = if step == 1 {
            if width <= 0 {
                return Err(format!(
                    "empty range for randrange() ({start}, {stop}, {width})"
                ));
            }
            start + self.below(width as u128) as i128
        } else {
            let n = match step {
                0 => return Err("zero step for randrange()".to_string()),
                s if s > 0 => (width + s - 1).div_euclid(s),
                s => (width + s + 1).div_euclid(s),
            };
            if n <= 0 {
                return Err("empty range for randrange()".to_string());
            }
            start + step * self.below(n as u128) as i128
        };
        // Inside [start, stop) of i64s, so it fits.
        Ok(pick as i64)
    }

    /// `shuffle(x)`: from the last place down, swap with one at or below.
    pub(crate) fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.index(i + 1);
            xs.swap(i, j);
        }
    }

    /// `sample(population, k)` for `k <= len`: a pool for a small
    /// population, otherwise indices drawn again until unseen, exactly as
    /// `random.py` chooses between them.
    pub(crate) fn sample<T: Clone>(&mut self, population: &[T], k: usize) -> Vec<T> {
        let n = population.len();
        let mut setsize: u128 = 21;
        if k > 5 {
            // `4 ** ceil(log(k * 3, 4))`, with Python's float log.
            let e = ((k as f64 * 3.0).ln() / 4f64.ln()).ceil() as u32;
            setsize += 4u128.saturating_pow(e);
        }
        let mut result = Vec::with_capacity(k);
        if n as u128 <= setsize {
            let mut pool = population.to_vec();
            for i in 0..k {
                let j = self.index(n - i);
                result.push(pool[j].clone());
                pool[j] = pool[n - i - 1].clone();
            }
        } else {
            let mut selected = std::collections::HashSet::with_capacity(k);
            for _ in 0..k {
                let mut j = self.index(n);
                while !selected.insert(j) {
                    j = self.index(n);
                }
                result.push(population[j].clone());
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::PyRandom;

    /// Numbers CPython 3.11 prints (`random.seed(n)`, then the calls).
    #[test]
    fn draws_what_cpython_draws() {
        let mut r = PyRandom::seeded(0);
        assert_eq!(r.random(), 0.8444218515250481);
        assert_eq!(r.random(), 0.7579544029403025);
        let mut r = PyRandom::seeded(42);
        assert_eq!(r.getrandbits(32), 2_746_317_213);
        let mut r = PyRandom::seeded(-42);
        assert_eq!(r.getrandbits(32), 2_746_317_213, "seed(-n) is seed(n)");
        let mut r = PyRandom::seeded(1 << 40);
        assert_eq!(r.getrandbits(100), 0x1_ABA9_8CAB_5A6C_D310_1A88_1D81);
    }
}
