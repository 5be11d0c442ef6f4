// SPDX-License-Identifier: GPL-2.0
/*
 * minivm SVM backend: probing AMD-V and switching EFER.SVME.
 */
#include <linux/cpu.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include "../minivm.h"
#include "caps.h"
#include "svm.h"
#include "vcpu.h"

static struct svm_caps svm_caps;

static int svm_read_cpuid(struct svm_cpuid *c)
{
	u32 eax, ebx, ecx, edx;

	c->max_ext_leaf = cpuid_eax(0x80000000);
	if (c->max_ext_leaf < 0x8000000a)
		return 0;
	c->ext1_ecx = cpuid_ecx(0x80000001);
	if (!(c->ext1_ecx & SVM_CPUID_EXT1_ECX_SVM))
		return 0;
	cpuid(0x8000000a, &eax, &ebx, &ecx, &edx);
	c->svm_ebx = ebx;
	c->svm_edx = edx;
	return rdmsrl_safe(MSR_VM_CR, &c->vm_cr) ? -EIO : 0;
}

static int svm_probe(struct minivm_caps *caps, const char **why)
{
	struct svm_cpuid c = {};
	int ret;

	if (boot_cpu_data.x86_vendor != X86_VENDOR_AMD &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_HYGON)
		return -ENXIO;
	if (svm_read_cpuid(&c)) {
		*why = "cannot read the VM_CR MSR";
		return -EIO;
	}
	ret = svm_parse_caps(&c, &svm_caps, why);
	if (ret)
		return ret;
	caps->tagged_tlb = svm_caps.nr_asids;
	caps->huge_pages = true;	/* NPT always maps 2 MiB pages */
	caps->rdtscp = boot_cpu_has(X86_FEATURE_RDTSCP);
	return 0;
}

static bool svm_cpu_hw_enabled(void)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	return efer & EFER_SVME;
}

static int svm_cpu_check(const char **why)
{
	u64 vm_cr;

	if (rdmsrl_safe(MSR_VM_CR, &vm_cr)) {
		*why = "cannot read the VM_CR MSR";
		return -EIO;
	}
	if (svm_check_vm_cr(vm_cr, why))
		return -EOPNOTSUPP;
	if (svm_cpu_hw_enabled()) {
		*why = "SVM is in use by another hypervisor (EFER.SVME is set)";
		return -EBUSY;
	}
	return 0;
}

static int svm_cpu_enable(phys_addr_t hsave)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;
	if (wrmsrl_safe(MSR_EFER, efer | EFER_SVME))
		return -EIO;
	wrmsrl(MSR_VM_HSAVE_PA, hsave);
	/* The page after the CPU's own save area (area_pages is 2). */
	this_cpu_write(svm_cpu.host_save_pa, hsave + PAGE_SIZE);
	return 0;
}

static void svm_cpu_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

static int svm_init(void)
{
	return svm_vcpu_init(svm_caps.nr_asids);
}

const struct minivm_backend minivm_svm_backend = {
	.name = "svm",
	.vendor = MINIVM_VENDOR_AMD_SVM,
	.area_pages = 2,
	.probe = svm_probe,
	.init = svm_init,
	.exit = svm_vcpu_exit,
	.cpu_check = svm_cpu_check,
	.cpu_enable = svm_cpu_enable,
	.cpu_disable = svm_cpu_disable,
	.cpu_hw_enabled = svm_cpu_hw_enabled,
	.pt_format = &svm_pt_format,
	.exit_name = svm_exit_name,
	.vcpu_create = svm_vcpu_create,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_run = svm_vcpu_run,
	.skip = svm_skip_insn,
	.inject_event = svm_inject_event,
	.set_windows = svm_set_windows,
	.set_cr2 = svm_set_cr2,
	.get_cr = svm_get_cr,
	.get_event_state = svm_get_event_state,
	.set_event_state = svm_set_event_state,
	.get_regs = svm_get_regs,
	.set_regs = svm_set_regs,
	.get_sregs = svm_get_sregs,
	.set_sregs = svm_set_sregs,
	.msr = svm_msr,
	.set_tsc_offset = svm_set_tsc_offset,
	.get_dr7 = svm_get_dr7,
	.set_dr_exiting = svm_set_dr_exiting,
};
