//! The `meta.k8s.io/v1` types: object and list metadata, Status, selectors, conditions,
//! discovery documents, tables and watch events.

mod condition;
mod discovery;
mod object_meta;
mod selector;
mod status;
mod table;
mod watch;

pub use condition::Condition;
pub use discovery::{
    ApiGroup, ApiGroupDiscovery, ApiGroupDiscoveryList, ApiGroupList, ApiResource,
    ApiResourceDiscovery, ApiResourceList, ApiSubresourceDiscovery, ApiVersionDiscovery,
    ApiVersions, DiscoveryKind, GroupVersionForDiscovery, ServerAddressByClientCidr,
    AGGREGATED_DISCOVERY_V2,
};
pub use object_meta::{
    FieldsV1, ListMeta, ManagedFieldsEntry, ObjectMeta, OwnerReference, ShardInfo, TypeMeta,
};
pub use selector::{LabelSelector, LabelSelectorRequirement};
pub use status::{cause, reason, Status, StatusCause, StatusDetails};
pub use table::{
    PartialObjectMetadata, PartialObjectMetadataList, Table, TableColumnDefinition, TableRow,
    PARTIAL_OBJECT_METADATA_ACCEPT, PARTIAL_OBJECT_METADATA_LIST_ACCEPT, TABLE_ACCEPT,
};
pub use watch::{
    decode_event, Bookmark, BookmarkMeta, EventType, RawWatchEvent, WatchEvent,
    INITIAL_EVENTS_END_ANNOTATION,
};
