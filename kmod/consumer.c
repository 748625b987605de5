// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mos: each open file that attaches (MOS_IOC_ATTACH) becomes a
 * consumer of its opener's network namespace, with one mmap'able ring per
 * engine shard. Closing the file (or the process dying) detaches it.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>
#include "compat.h"
#include "consumer.h"
#include "netns.h"

/**
 * struct mos_file - an open /dev/mos
 * @lock: serialises attaching against mmap
 * @net: the opener's namespace (a reference)
 * @consumer: set once attached
 */
struct mos_file {
	struct mutex lock;	/* attach vs mmap */
	struct net *net;
	struct mos_consumer *consumer;
};

static void consumer_free(struct mos_consumer *c)
{
	u32 i;

	/* No producer runs any more: none can start it again. */
	hrtimer_cancel(&c->wake_timer);
	for (i = 0; i < __MOS_FILTER_MAX; i++) {
		struct bpf_prog *prog = rcu_dereference_protected(c->filter[i],
								  1);

		if (prog)
			bpf_prog_destroy(prog);
	}
	for (i = 0; i < c->nr_rings; i++)
		mos_ring_free(c->rings[i]);
	kfree(c);
}

static enum hrtimer_restart consumer_wake(struct hrtimer *t)
{
	struct mos_consumer *c = container_of(t, struct mos_consumer,
					      wake_timer);

	/* Cleared first: a record from now on arms the timer again. */
	clear_bit(0, &c->wake_armed);
	wake_up_interruptible(&c->wq);
	return HRTIMER_NORESTART;
}

/**
 * mos_consumer_notify() - a record was committed to a consumer's ring
 * @c: the consumer
 * @r: the ring, under its producer's lock
 * @reader_waits: mos_ring_commit() said the reader had read everything
 *	before this record, and may be waiting in poll() for it
 *
 * A waiting reader is woken the namespace's wakeup interval after the
 * first record (a timer), so that records that keep coming cost one
 * wakeup per interval rather than one each: a wakeup and the sleep after
 * it cost more than reading a record. At once when the interval is 0,
 * and when the ring is a quarter full, so that a small ring does not fill
 * up while its reader is made to wait.
 */
void mos_consumer_notify(struct mos_consumer *c, struct mos_ring *r,
			 bool reader_waits)
{
	u32 us;

	if (!reader_waits && !test_bit(0, &c->wake_armed))
		return;
	/* Full barrier: pairs with the one in mos_dev_poll(). */
	if (!wq_has_sleeper(&c->wq))
		return;
	us = READ_ONCE(c->dp->cfg.wakeup_us);
	if (!us || mos_ring_unread(r) >= (r->mask + 1ULL) / 4) {
		wake_up_interruptible(&c->wq);
		return;
	}
	if (!test_and_set_bit(0, &c->wake_armed))
		hrtimer_start(&c->wake_timer, ns_to_ktime(us * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_SOFT);
}

static struct mos_consumer *consumer_new(struct mos_dp *dp, u32 ring_bytes)
{
	struct mos_consumer *c;
	u32 i;

	c = kzalloc(struct_size(c, rings, dp->nr_shards), GFP_KERNEL);
	if (!c)
		return NULL;
	c->dp = dp;
	c->nr_rings = dp->nr_shards;
	init_waitqueue_head(&c->wq);
	mos_hrtimer_setup(&c->wake_timer, consumer_wake, CLOCK_MONOTONIC,
			  HRTIMER_MODE_REL_SOFT);
	for (i = 0; i < c->nr_rings; i++) {
		c->rings[i] = mos_ring_new(ring_bytes, cpu_possible(i) ?
					   cpu_to_node(i) : NUMA_NO_NODE);
		if (!c->rings[i]) {
			consumer_free(c);
			return NULL;
		}
	}
	return c;
}

/*
 * Give every tracked connection to a consumer slot (@on: a consumer just
 * attached) or take them away (it detached, before the slot is reused).
 */
static void mark_slot(struct mos_dp *dp, u32 slot, bool on)
{
	u32 i, b;

	for (i = 0; i < dp->nr_shards; i++) {
		struct mos_shard *sh = &dp->shards[i];
		struct mos_flow *f;

		spin_lock_bh(&sh->lock);
		for (b = 0; b < mos_engine_nbuckets(sh->engine); b++)
			for (f = mos_engine_bucket(sh->engine, b); f;
			     f = f->hnext) {
				f->host.lost &= ~BIT(slot);
				if (on)
					f->host.sub |= BIT(slot);
				else
					f->host.sub &= ~BIT(slot);
			}
		spin_unlock_bh(&sh->lock);
		cond_resched();
	}
}

static void consumer_detach(struct mos_consumer *c)
{
	struct mos_dp *dp = c->dp;

	mutex_lock(&dp->mutex);
	list_del_rcu(&c->node);
	mutex_unlock(&dp->mutex);
	/* Producers run under RCU: after this, none writes to our rings. */
	synchronize_rcu();
	mark_slot(dp, c->slot, false);
	mutex_lock(&dp->mutex);
	__clear_bit(c->slot, &dp->slots);
	mutex_unlock(&dp->mutex);
	consumer_free(c);
}

static long mos_attach(struct mos_file *mf, void __user *arg)
{
	struct mos_dp *dp = mos_net(mf->net)->dp;
	struct mos_ring_setup setup;
	struct mos_consumer *c;
	long ret = 0;
	u32 slot;

	if (copy_from_user(&setup, arg, sizeof(setup)))
		return -EFAULT;
	if (setup.flags)
		return -EINVAL;
	if (!setup.ring_bytes)
		setup.ring_bytes = READ_ONCE(dp->cfg.ring_bytes);
	if (!is_power_of_2(setup.ring_bytes) ||
	    setup.ring_bytes < MOS_RING_MIN_BYTES ||
	    setup.ring_bytes > MOS_RING_MAX_BYTES ||
	    setup.ring_bytes < PAGE_SIZE)
		return -EINVAL;

	mutex_lock(&mf->lock);
	if (mf->consumer) {
		ret = -EBUSY;
		goto out;
	}
	c = consumer_new(dp, setup.ring_bytes);
	if (!c) {
		ret = -ENOMEM;
		goto out;
	}
	mutex_lock(&dp->mutex);
	slot = find_first_zero_bit(&dp->slots, MOS_MAX_CONSUMERS);
	if (slot >= MOS_MAX_CONSUMERS) {
		mutex_unlock(&dp->mutex);
		consumer_free(c);
		ret = -EBUSY;
		goto out;
	}
	__set_bit(slot, &dp->slots);
	c->slot = slot;
	c->id = ++dp->next_monitor_id;
	/*
	 * Listed first (new connections select it), then subscribed to the
	 * existing ones; its event mask is still 0, so nothing is emitted
	 * to it until both are done and userspace asks for events.
	 */
	list_add_tail_rcu(&c->node, &dp->consumers);
	mutex_unlock(&dp->mutex);
	mark_slot(dp, slot, true);
	mf->consumer = c;

	setup.nr_rings = c->nr_rings;
	setup.monitor_id = c->id;
	if (copy_to_user(arg, &setup, sizeof(setup)))
		ret = -EFAULT;	/* attached all the same; closing detaches */
out:
	mutex_unlock(&mf->lock);
	return ret;
}

static long mos_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case MOS_IOC_ATTACH:
		return mos_attach(file->private_data, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int mos_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mos_file *mf = file->private_data;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	struct mos_consumer *c;
	u64 ring;
	int ret;

	mutex_lock(&mf->lock);
	c = mf->consumer;
	ring = div64_u64(off, MOS_RING_MMAP_STRIDE);
	if (!c)
		ret = -ENODEV;
	else if (ring >= c->nr_rings)
		ret = -EINVAL;
	else
		ret = mos_ring_mmap(c->rings[ring], vma,
				    (off - ring * MOS_RING_MMAP_STRIDE) >>
				    PAGE_SHIFT);
	mutex_unlock(&mf->lock);
	return ret;
}

static __poll_t mos_dev_poll(struct file *file, poll_table *wait)
{
	struct mos_file *mf = file->private_data;
	struct mos_consumer *c = READ_ONCE(mf->consumer);
	u32 i;

	if (!c)
		return EPOLLERR;
	poll_wait(file, &c->wq, wait);
	/* Pairs with the barrier in mos_ring_commit(). */
	smp_mb();
	for (i = 0; i < c->nr_rings; i++)
		if (mos_ring_readable(c->rings[i]))
			return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static int mos_dev_open(struct inode *inode, struct file *file)
{
	struct net *net = current->nsproxy->net_ns;
	struct mos_file *mf;

	/* Events show traffic: the same right as reading conntrack. */
	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	mutex_init(&mf->lock);
	mf->net = get_net(net);
	file->private_data = mf;
	return nonseekable_open(inode, file);
}

static int mos_dev_release(struct inode *inode, struct file *file)
{
	struct mos_file *mf = file->private_data;

	if (mf->consumer)
		consumer_detach(mf->consumer);
	put_net(mf->net);
	kfree(mf);
	return 0;
}

static const struct file_operations mos_dev_fops = {
	.owner = THIS_MODULE,
	.open = mos_dev_open,
	.release = mos_dev_release,
	.unlocked_ioctl = mos_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mos_dev_mmap,
	.poll = mos_dev_poll,
};

static struct miscdevice mos_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = MOS_DEV_NAME,
	.fops = &mos_dev_fops,
	.mode = 0600,
};

static struct mos_consumer *find_consumer(struct mos_dp *dp, u32 id)
{
	struct mos_consumer *c;

	list_for_each_entry(c, &dp->consumers, node)
		if (c->id == id)
			return c;
	return NULL;
}

/**
 * mos_consumer_set() - change one setting of a consumer
 * @dp: its namespace's datapath
 * @id: its monitor id
 * @what: the setting
 * @value: its new value: for %MOS_CONSUMER_EVMASK a bit per built-in event
 *	type, for %MOS_CONSUMER_FLAGS MOS_MONITOR_F_*, for
 *	%MOS_CONSUMER_GROUP count << 16 | index (checked by the caller)
 *
 * The datapath reads the settings without a lock: each applies from the
 * next event on. A new group applies to connections that start afterwards
 * (and to orphans): those already selected for the consumer stay with it.
 *
 * Return: 0, or -ENOENT when no such consumer is attached.
 */
int mos_consumer_set(struct mos_dp *dp, u32 id, enum mos_consumer_setting what,
		     u32 value)
{
	struct mos_consumer *c;
	int ret = -ENOENT;

	mutex_lock(&dp->mutex);
	c = find_consumer(dp, id);
	if (c) {
		switch (what) {
		case MOS_CONSUMER_EVMASK:
			WRITE_ONCE(c->evmask, value);
			break;
		case MOS_CONSUMER_FLAGS:
			WRITE_ONCE(c->flags, value);
			break;
		case MOS_CONSUMER_GROUP:
			WRITE_ONCE(c->group, value);
			break;
		}
		ret = 0;
	}
	mutex_unlock(&dp->mutex);
	return ret;
}

/**
 * mos_consumer_set_filter() - replace one of a consumer's filters
 * @dp: its namespace's datapath
 * @id: its monitor id
 * @type: &enum mos_filter_type
 * @prog: the new program (ownership passes), or NULL to remove
 *
 * The old program is destroyed after a grace period, when no hook can
 * still be running it. May sleep.
 *
 * Return: 0, -EINVAL for a bad type, -ENOENT for an unknown consumer.
 */
int mos_consumer_set_filter(struct mos_dp *dp, u32 id, u32 type,
			    struct bpf_prog *prog)
{
	struct bpf_prog *old = NULL;
	struct mos_consumer *c;
	int ret = 0;

	if (type >= __MOS_FILTER_MAX) {
		ret = -EINVAL;
		goto out;
	}
	mutex_lock(&dp->mutex);
	c = find_consumer(dp, id);
	if (c)
		old = rcu_replace_pointer(c->filter[type], prog,
					  lockdep_is_held(&dp->mutex));
	mutex_unlock(&dp->mutex);
	if (!c) {
		ret = -ENOENT;
		goto out;
	}
	prog = old;
	synchronize_rcu();
out:
	if (prog)
		bpf_prog_destroy(prog);
	return ret;
}

/**
 * mos_chardev_init() - create /dev/mos
 *
 * Return: 0 or a negative errno.
 */
int mos_chardev_init(void)
{
	return misc_register(&mos_miscdev);
}

/**
 * mos_chardev_uninit() - remove /dev/mos (no file is open: they hold the
 * module)
 */
void mos_chardev_uninit(void)
{
	misc_deregister(&mos_miscdev);
}
