//! Iterators of [`Map`](super::Map).

use std::iter::FusedIterator;

use super::Map;

macro_rules! iterator {
    ($(#[$doc:meta])* $name:ident<$($lt:lifetime,)? K, V>, $inner:ty, $item:ty, |$e:ident| $map:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name<$($lt,)? K, V> {
            inner: $inner,
        }

        impl<$($lt,)? K, V> $name<$($lt,)? K, V> {
            pub(super) fn new(inner: $inner) -> Self {
                Self { inner }
            }
        }

        impl<$($lt,)? K, V> Iterator for $name<$($lt,)? K, V> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                self.inner.next().map(|$e| $map)
            }

            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<$($lt,)? K, V> DoubleEndedIterator for $name<$($lt,)? K, V> {
            #[inline]
            fn next_back(&mut self) -> Option<Self::Item> {
                self.inner.next_back().map(|$e| $map)
            }
        }

        impl<$($lt,)? K, V> ExactSizeIterator for $name<$($lt,)? K, V> {}
        impl<$($lt,)? K, V> FusedIterator for $name<$($lt,)? K, V> {}
    };
}

iterator!(
    /// `(&key, &value)` in key order; from [`Map::iter`].
    Iter<'a, K, V>, std::slice::Iter<'a, (K, V)>, (&'a K, &'a V), |e| (&e.0, &e.1)
);
iterator!(
    /// `(&key, &mut value)` in key order; from [`Map::iter_mut`].
    IterMut<'a, K, V>, std::slice::IterMut<'a, (K, V)>, (&'a K, &'a mut V), |e| (&e.0, &mut e.1)
);
iterator!(
    /// Keys in order; from [`Map::keys`].
    Keys<'a, K, V>, std::slice::Iter<'a, (K, V)>, &'a K, |e| &e.0
);
iterator!(
    /// Values in key order; from [`Map::values`].
    Values<'a, K, V>, std::slice::Iter<'a, (K, V)>, &'a V, |e| &e.1
);
iterator!(
    /// Mutable values in key order; from [`Map::values_mut`].
    ValuesMut<'a, K, V>, std::slice::IterMut<'a, (K, V)>, &'a mut V, |e| &mut e.1
);
iterator!(
    /// `(key, value)` by value, in key order; from `Map::into_iter`.
    IntoIter<K, V>, thin_vec::IntoIter<(K, V)>, (K, V), |e| e
);
iterator!(
    /// Keys by value, in order; from [`Map::into_keys`].
    IntoKeys<K, V>, thin_vec::IntoIter<(K, V)>, K, |e| e.0
);
iterator!(
    /// Values by value, in key order; from [`Map::into_values`].
    IntoValues<K, V>, thin_vec::IntoIter<(K, V)>, V, |e| e.1
);

impl<K, V> IntoIterator for Map<K, V> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(self) -> IntoIter<K, V> {
        IntoIter::new(thin_vec::ThinVec::from(self).into_iter())
    }
}

impl<'a, K, V> IntoIterator for &'a Map<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut Map<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}
