/// How a device's `state` (Device.state in the spec) reads for the scaler.
enum MetalDeviceState {
    /// Deprovisioning or deleted: already on its way out, so neither listed nor deleted again.
    static func isGone(_ state: String?) -> Bool { state == "deprovisioning" || state == "deleted" }

    /// Powered off, failed and powering-off devices map to `.stopping`: they serve no job, but
    /// unlike an EC2 instance they never go away by themselves, so they are still listed for the
    /// scaler and the sweeper to delete. A state we do not know counts as pending, the
    /// cautious reading for a young host.
    static func hostState(_ state: String?) -> RunnerHost.State {
        switch state {
        case "active": .running
        case "powering_off", "inactive", "failed": .stopping
        case "deprovisioning", "deleted": .terminated
        default: .pending // queued, provisioning, reinstalling, powering_on
        }
    }
}
