// What the metrics editor starts with: realistic Telegraf output. (The config editor starts with
// telegraf-librato.conf, Telegraf's own sample block, which the Rust tests read too.)


const T = 1764000000;
const hosts = ['web-01.prod.example.com', 'web-02.prod.example.com', 'db-01.prod.example.com'];
const lines = [];
hosts.forEach((host, i) => {
  const t = `${T + i * 10}000000000`;
  lines.push(`cpu,cpu=cpu-total,host=${host} usage_idle=${(91.5 - i * 7.25).toFixed(2)},usage_user=${(5.5 + i * 4).toFixed(2)},usage_system=${(2.75 + i).toFixed(2)},usage_iowait=0.25 ${t}`);
  lines.push(`mem,host=${host} used=${8589934592 + i * 1073741824}i,free=${4294967296 - i * 536870912}i,used_percent=${(66.7 + i * 5).toFixed(1)},available=${5368709120 - i * 1073741824}i ${t}`);
  lines.push(`disk,device=sda1,fstype=ext4,host=${host},mode=rw,path=/ free=${52428800000 - i * 1048576000}i,total=107374182400i,used_percent=${(51.2 + i * 3).toFixed(1)} ${t}`);
  lines.push(`net,host=${host},interface=eth0 bytes_sent=${1234567890 + i * 1000}u,bytes_recv=${9876543210 + i * 1000}u,err_in=0u,err_out=0u ${t}`);
  lines.push(`system,host=${host} load1=${(0.42 + i / 4).toFixed(2)},n_cpus=8i,uptime=${345600 + i * 3600}i,uptime_format="4 days, ${i}:00" ${t}`);
});

export const SAMPLE_METRICS = lines.join('\n') + '\n';
