/// Reading runner hosts back from instances: everything comes from the tags the launch set.
extension RunnerHost {
    /// The runner name falls back to the `Name` tag, then the instance ID, so a host tagged
    /// by hand still shows up (and can be reaped) rather than vanishing from the list.
    public init(ec2Instance instance: EC2Instance, pool: String) {
        let runnerName = instance.tag(HostTags.runnerName) ?? instance.tag(HostTags.name) ?? instance.instanceId
        self.init(id: instance.instanceId, runnerName: runnerName, pool: instance.tag(HostTags.pool) ?? pool,
                  jobID: instance.tag(HostTags.jobID).flatMap { Int64($0) },
                  state: RunnerHost.State(ec2State: instance.state), launchedAt: instance.launchTime)
    }
}

extension RunnerHost.State {
    /// EC2's six states folded into the four a runner host has.
    public init(ec2State state: EC2InstanceState?) {
        switch state?.name {
        case "running": self = .running
        case "shutting-down", "stopping", "stopped": self = .stopping
        case "terminated": self = .terminated
        default: self = .pending
        }
    }
}
