//! Small typed ids. `u32`/`u16`/`u8`, never `usize`, so they hash and serialize
//! the same on 32-bit wasm and 64-bit native.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident($int:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub $int);
        impl $name {
            /// For indexing a local `Vec`; ids are stored as fixed-width integers.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(/// A node (server, client, fence device, ...), in scenario order.
    NodeId(u32));
id_type!(/// A network plane such as `data`, `cluster` or `mgmt`.
    PlaneId(u8));
id_type!(/// A directed link.
    LinkId(u32));
id_type!(/// A device (switch) that links pass through.
    DeviceId(u16));
id_type!(/// A replication group (an HA pair, a database cluster): the unit split brain is counted in.
    GroupId(u16));
