"""Demo articles: for each preset's products, troubleshooting and how-to articles in English
with their Brazilian Portuguese translations, a few internal ones, votes and a deflection.
Built through the actions from the compact table below."""

from __future__ import annotations

from pacto.kb.actions import do_create_article, do_deflect, do_vote

ANDMONEY = ["&money for Salesforce", "&money Self Service Management"]

# product, categories, (title EN, body EN), (title PT-BR, body PT-BR), status
ARTICLES = [
    ("senhasegura PAM / Core", ["vault", "troubleshooting"],
     ("Vault unreachable after an upgrade", "After an upgrade the web console may answer *503 Service Unavailable* while the vault service rebuilds its cache.\n\n1. Open **Settings › System › Services**.\n2. Restart the `vault` service.\n3. Wait two minutes and sign in again.\n\nIf the error persists, collect the logs from **Diagnostics › Export** and open a ticket."),
     ("Cofre inacessível após atualização", "Após uma atualização o console web pode responder *503 Service Unavailable* enquanto o serviço do cofre reconstrói o cache.\n\n1. Abra **Configurações › Sistema › Serviços**.\n2. Reinicie o serviço `vault`.\n3. Aguarde dois minutos e entre novamente.\n\nSe o erro continuar, exporte os logs em **Diagnóstico › Exportar** e abra um chamado."), "published"),
    ("senhasegura PAM / Core", ["passwords"],
     ("Reset a privileged password that failed rotation", "When automatic rotation fails the credential is marked **Rotation failed**.\n\n- Check that the target accepts the service account.\n- Use **Credentials › Actions › Change now** to retry.\n- If the target was restored from backup, choose **Reconcile** first."),
     ("Redefinir uma senha privilegiada cuja troca falhou", "Quando a troca automática falha a credencial fica como **Falha na troca**.\n\n- Verifique se o alvo aceita a conta de serviço.\n- Use **Credenciais › Ações › Trocar agora** para tentar de novo.\n- Se o alvo foi restaurado de backup, escolha **Reconciliar** antes."), "published"),
    ("senhasegura PAM / Core", ["ldap", "troubleshooting"],
     ("Users of nested AD groups are not imported", "LDAP synchronization reads one level of groups by default. Enable **Follow nested groups** in the LDAP connector and raise the page size to 1000 for directories with more than 5,000 users."),
     ("Usuários de grupos aninhados do AD não são importados", "A sincronização LDAP lê um nível de grupos por padrão. Ative **Seguir grupos aninhados** no conector LDAP e aumente o tamanho de página para 1000 em diretórios com mais de 5.000 usuários."), "published"),
    ("senhasegura PAM / Core", ["sessions"],
     ("Session recordings do not play in the browser", "Recordings are played by the web player, which needs the recording storage mounted. Check **Settings › Storage** and make sure the mount shows *online*; recordings made while it was offline are kept in the local buffer and uploaded when it returns."),
     ("Gravações de sessão não tocam no navegador", "As gravações são tocadas pelo player web, que precisa do armazenamento montado. Confira **Configurações › Armazenamento** e veja se a montagem aparece *online*; gravações feitas sem ela ficam no buffer local e são enviadas quando ela volta."), "published"),
    ("senhasegura PAM / Core", ["install"],
     ("Prepare a high-availability cluster", "A cluster needs two nodes of the same version, a virtual IP in the same network and port 3306 open between the nodes. Configure the primary first, then join the secondary from **Cluster › Join**."),
     ("Preparar um cluster de alta disponibilidade", "Um cluster precisa de dois nós da mesma versão, um IP virtual na mesma rede e a porta 3306 aberta entre os nós. Configure primeiro o primário e depois junte o secundário em **Cluster › Juntar**."), "published"),
    ("senhasegura PAM / Core", ["internal"],
     ("Escalation runbook: vault cache corruption", "Internal: ask for `diag.tar.gz`, check `cache.db` integrity with the support tool and escalate to second line with the output."),
     ("Runbook de escalonamento: corrupção do cache do cofre", "Interno: peça o `diag.tar.gz`, verifique a integridade do `cache.db` com a ferramenta de suporte e escale para o segundo nível com a saída."), "internal"),
    ("senhasegura PAM / DevOps Secret Manager", ["devops"],
     ("Inject secrets into a Kubernetes deployment", "Install the DSM injector with Helm, annotate the deployment with `dsm/inject: \"true\"` and name the secret path. The pod reads the secrets at start; rotate them with **DSM › Applications › Rotate**."),
     ("Injetar segredos em um deployment Kubernetes", "Instale o injetor do DSM com Helm, anote o deployment com `dsm/inject: \"true\"` e informe o caminho do segredo. O pod lê os segredos ao iniciar; troque-os em **DSM › Aplicações › Trocar**."), "published"),
    ("senhasegura PAM / DevOps Secret Manager", ["devops", "troubleshooting"],
     ("CI pipeline gets 401 from the secrets API", "A 401 means the application's token expired or was revoked. Create a new token under **DSM › Applications › Authentication** and update the pipeline variable; tokens expire after 90 days by default."),
     ("Pipeline de CI recebe 401 da API de segredos", "Um 401 indica que o token da aplicação expirou ou foi revogado. Crie um novo token em **DSM › Aplicações › Autenticação** e atualize a variável do pipeline; os tokens expiram em 90 dias por padrão."), "published"),
    ("SanerNow / Patch Management", ["patching", "troubleshooting"],
     ("Patch deployment stuck at pending", "Agents pick up patch jobs at their next check-in. If a job stays *pending* for more than an hour, confirm the agent is online in **Devices**, that the maintenance window is open and that the device has at least 2 GB free."),
     ("Implantação de patch parada em pendente", "Os agentes pegam as tarefas de patch no próximo check-in. Se uma tarefa ficar *pendente* por mais de uma hora, confirme que o agente está online em **Dispositivos**, que a janela de manutenção está aberta e que há pelo menos 2 GB livres."), "published"),
    ("SanerNow / Patch Management", ["agents"],
     ("Agent shows offline after a reboot", "The agent service starts automatically. If the device stays offline, check the proxy settings in `agent.conf` and that outbound port 443 to the SanerNow server is allowed."),
     ("Agente aparece offline após reinicialização", "O serviço do agente inicia automaticamente. Se o dispositivo continuar offline, confira o proxy no `agent.conf` e se a porta 443 de saída para o servidor SanerNow está liberada."), "published"),
    ("SanerNow / Patch Management", ["patching"],
     ("Roll back a patch that broke an application", "Open the device, choose **Patches › Installed**, select the patch and **Roll back**. Windows cumulative updates can only be rolled back within the period Windows allows."),
     ("Reverter um patch que quebrou uma aplicação", "Abra o dispositivo, escolha **Patches › Instalados**, selecione o patch e **Reverter**. Atualizações cumulativas do Windows só podem ser revertidas no prazo que o Windows permite."), "published"),
    ("SanerNow / Patch Management", ["scanning"],
     ("Scans stop at 40% with engine timeout", "Large networks can exceed the scan engine's default timeout. Split the scan into two ranges or raise **Scan timeout** to 120 minutes in the scan profile."),
     ("Varreduras param em 40% com timeout do motor", "Redes grandes podem passar do timeout padrão do motor de varredura. Divida a varredura em duas faixas ou aumente o **Timeout da varredura** para 120 minutos no perfil."), "published"),
    ("Xecuritas Scanner", ["scanning", "troubleshooting"],
     ("Scanner reports certificate errors on internal hosts", "Internal hosts often use a private certificate authority. Import the CA certificate under **Settings › Trusted CAs** and rerun the scan."),
     ("Scanner relata erros de certificado em hosts internos", "Hosts internos costumam usar uma autoridade certificadora privada. Importe o certificado da CA em **Configurações › CAs confiáveis** e rode a varredura de novo."), "published"),
    ("Xecuritas Scanner", ["licensing"],
     ("Licence count exceeded", "The licence counts scanned hosts over 30 days. Remove decommissioned hosts from **Assets** or ask your account manager for more licences."),
     ("Limite de licenças excedido", "A licença conta os hosts varridos em 30 dias. Remova hosts desativados em **Ativos** ou peça mais licenças ao seu gerente de conta."), "published"),
    ("Xecuritas Scanner", ["reports"],
     ("Schedule a monthly compliance report", "Open **Reports › New**, choose the compliance template, the asset group and **Monthly**. Reports are sent to the recipients as PDF on the first working day."),
     ("Agendar um relatório mensal de conformidade", "Abra **Relatórios › Novo**, escolha o modelo de conformidade, o grupo de ativos e **Mensal**. Os relatórios são enviados em PDF no primeiro dia útil."), "published"),
    ("Allure Detect", ["takedowns"],
     ("Request a takedown of an impersonating site", "Open the detection, check the evidence and choose **Request takedown**. Allure contacts the host and registrar; the status shows each step until the site is down."),
     ("Solicitar a derrubada de um site falso", "Abra a detecção, confira as evidências e escolha **Solicitar derrubada**. A Allure contata o provedor e o registrador; o status mostra cada etapa até o site sair do ar."), "published"),
    ("Allure Detect", ["alerts"],
     ("Alerts are not delivered to the SOC mailbox", "Check **Settings › Notifications** for the mailbox and that the SOC's mail gateway accepts messages from the platform's sending domain."),
     ("Alertas não chegam à caixa do SOC", "Confira a caixa em **Configurações › Notificações** e se o gateway de e-mail do SOC aceita mensagens do domínio de envio da plataforma."), "published"),
    (ANDMONEY, ["payments", "troubleshooting"],
     ("Settlement file rejected by the bank", "Banks reject a settlement file when its batch total does not match the sum of its lines. Regenerate the file from **Settlements › Batches** after correcting the rejected lines."),
     ("Arquivo de liquidação rejeitado pelo banco", "Os bancos rejeitam um arquivo de liquidação quando o total do lote não bate com a soma das linhas. Gere o arquivo de novo em **Liquidações › Lotes** após corrigir as linhas rejeitadas."), "published"),
    (ANDMONEY, ["sync"],
     ("Customer segments out of sync", "Segment synchronization runs every 15 minutes. A user/segment mismatch is usually a rule that references a deleted attribute: fix the rule and run **Sync now**."),
     ("Segmentos de clientes fora de sincronia", "A sincronização de segmentos roda a cada 15 minutos. Uma divergência entre usuário e segmento costuma ser uma regra que usa um atributo apagado: corrija a regra e rode **Sincronizar agora**."), "published"),
    # senhasegura PAM
    ("senhasegura PAM / Core", ["passwords", "troubleshooting"],
     ("Password checkout waits for an approval that never comes", "A checkout that needs approval waits for one of the approvers of the credential's access group. If none of them is active, nobody is asked: add a backup approver under **Access groups › Approvers** or ask an administrator to approve from **Requests**."),
     ("Retirada de senha aguarda uma aprovação que nunca chega", "Uma retirada que exige aprovação espera um dos aprovadores do grupo de acesso da credencial. Se nenhum estiver ativo, ninguém é avisado: inclua um aprovador reserva em **Grupos de acesso › Aprovadores** ou peça a um administrador que aprove em **Solicitações**."), "published"),
    ("senhasegura PAM / Core", ["sessions", "troubleshooting"],
     ("RDP proxy session closes after 30 seconds", "The RDP proxy closes sessions whose target refuses Network Level Authentication with the stored credential. Check the credential with **Test connection**, then enable **NLA** in the device's RDP settings or turn it off on the target."),
     ("Sessão RDP pelo proxy fecha após 30 segundos", "O proxy RDP encerra sessões cujo alvo recusa a Autenticação em Nível de Rede com a credencial guardada. Verifique a credencial com **Testar conexão** e então ative o **NLA** nas configurações RDP do dispositivo ou desligue-o no alvo."), "published"),
    ("senhasegura PAM / Core", ["install", "certificates"],
     ("Replace the web console's TLS certificate", "Upload the certificate and its private key in PEM under **Settings › System › Certificates**, with the intermediate chain in the same file. The web service restarts by itself; sessions in progress are kept."),
     ("Substituir o certificado TLS do console web", "Envie o certificado e a chave privada em PEM em **Configurações › Sistema › Certificados**, com a cadeia intermediária no mesmo arquivo. O serviço web reinicia sozinho; as sessões em andamento são mantidas."), "published"),
    ("senhasegura PAM / Core", ["backup"],
     ("Back up and restore the vault", "Schedule the encrypted backup under **Settings › Backup**, to an SFTP or S3 target. Keep the backup key apart from the backup: without it the file cannot be restored. Test a restore on a lab appliance twice a year."),
     ("Fazer backup e restaurar o cofre", "Agende o backup criptografado em **Configurações › Backup**, para um destino SFTP ou S3. Guarde a chave do backup separada do arquivo: sem ela não há restauração. Teste uma restauração em um appliance de laboratório duas vezes por ano."), "published"),
    # SanerNow
    ("SanerNow / Vulnerability Management", ["scanning", "troubleshooting"],
     ("Vulnerability count rises after a scan profile change", "Enabling **Authenticated checks** in a scan profile finds vulnerabilities an unauthenticated scan cannot see, so the count rises for a week. Compare by CVE in **Reports › Trend** before raising a ticket."),
     ("Contagem de vulnerabilidades sobe após mudar o perfil de varredura", "Ativar **Verificações autenticadas** no perfil encontra vulnerabilidades que uma varredura sem autenticação não vê, e a contagem sobe por uma semana. Compare por CVE em **Relatórios › Tendência** antes de abrir um chamado."), "published"),
    ("SanerNow / Vulnerability Management", ["reports"],
     ("Export vulnerabilities to CSV for the auditors", "Open **Vulnerabilities**, filter by group and severity and choose **Export › CSV**. Exports over 100,000 rows are prepared in the background and sent by email when ready."),
     ("Exportar vulnerabilidades em CSV para a auditoria", "Abra **Vulnerabilidades**, filtre por grupo e criticidade e escolha **Exportar › CSV**. Exportações com mais de 100.000 linhas são preparadas em segundo plano e enviadas por e-mail."), "published"),
    ("SanerNow / Patch Management", ["patching"],
     ("Create a maintenance window for servers", "Under **Patch Management › Schedules**, create a window with the days, the start time in the device's zone and the longest duration allowed. Jobs that do not finish in the window continue in the next one."),
     ("Criar uma janela de manutenção para servidores", "Em **Gerenciamento de patches › Agendas**, crie uma janela com os dias, o horário de início no fuso do dispositivo e a duração máxima. Tarefas que não terminam na janela continuam na próxima."), "published"),
    ("SanerNow / Patch Management", ["agents", "install"],
     ("Deploy the agent with a group policy", "Download the MSI from **Settings › Agents**, copy the site key and create a GPO that installs the MSI with `SITEKEY=<key>`. Devices register within ten minutes of the next reboot."),
     ("Instalar o agente por política de grupo", "Baixe o MSI em **Configurações › Agentes**, copie a chave do site e crie uma GPO que instale o MSI com `SITEKEY=<chave>`. Os dispositivos se registram em até dez minutos após a próxima reinicialização."), "published"),
    ("SanerNow / Patch Management", ["agents", "troubleshooting"],
     ("Agent uses too much CPU during scans", "Scans run at normal priority by default. Set **Scan priority** to *low* in the device group's agent settings, or move scans outside working hours in **Schedules**; patching is not slowed by either."),
     ("Agente usa CPU demais durante as varreduras", "As varreduras rodam com prioridade normal por padrão. Defina a **Prioridade da varredura** como *baixa* nas configurações de agente do grupo de dispositivos, ou mova as varreduras para fora do expediente em **Agendas**; nenhuma das duas atrasa os patches."), "published"),
    ("SanerNow / Patch Management", ["internal"],
     ("Escalation: agent database corruption", "Internal: ask for the agent's `logs` folder and `agent.db`; if the integrity check fails, reinstall with the cleanup flag and escalate the files to engineering."),
     ("Escalonamento: banco do agente corrompido", "Interno: peça a pasta `logs` e o `agent.db` do agente; se a verificação de integridade falhar, reinstale com a opção de limpeza e escale os arquivos para a engenharia."), "internal"),
    # Xecuritas Scanner
    ("Xecuritas Scanner", ["scanning"],
     ("Scan a network segment through a remote sensor", "Install a sensor in the segment, approve it under **Sensors** and assign the scan's targets to it. The sensor connects outbound on port 443, so no inbound rule is needed."),
     ("Varrer um segmento de rede por um sensor remoto", "Instale um sensor no segmento, aprove-o em **Sensores** e atribua a ele os alvos da varredura. O sensor se conecta para fora pela porta 443, sem precisar de regra de entrada."), "published"),
    ("Xecuritas Scanner", ["scanning", "troubleshooting"],
     ("Authenticated Windows scans report access denied", "The scan account needs local administrator rights and the Remote Registry service running on the target. Check both, then use **Credentials › Test** against one host before scanning the group."),
     ("Varreduras autenticadas no Windows relatam acesso negado", "A conta da varredura precisa de direitos de administrador local e do serviço Registro Remoto ativo no alvo. Confira os dois e use **Credenciais › Testar** em um host antes de varrer o grupo."), "published"),
    ("Xecuritas Scanner", ["reports", "troubleshooting"],
     ("Report PDF is missing the company logo", "Logos over 1 MB or in SVG are skipped by the PDF renderer. Upload a PNG under 1 MB in **Settings › Branding** and generate the report again."),
     ("PDF do relatório sem o logotipo da empresa", "Logotipos acima de 1 MB ou em SVG são ignorados pelo gerador de PDF. Envie um PNG com menos de 1 MB em **Configurações › Marca** e gere o relatório de novo."), "published"),
    ("Xecuritas Scanner", ["install"],
     ("Move the scanner to a new server", "Back up the configuration under **Settings › Backup**, install the same version on the new server, restore the backup and move the licence with **Licence › Transfer**. Sensors reconnect by themselves."),
     ("Mover o scanner para um novo servidor", "Faça o backup da configuração em **Configurações › Backup**, instale a mesma versão no novo servidor, restaure o backup e mova a licença em **Licença › Transferir**. Os sensores se reconectam sozinhos."), "published"),
    # Allure Detect
    ("Allure Detect", ["detections"],
     ("Why a look-alike domain was detected", "Each detection lists what matched: the domain's similarity to your brand, copied images, your logo or a login form. Open **Evidence** to see the screenshots and the page source captured at detection time."),
     ("Por que um domínio parecido foi detectado", "Cada detecção mostra o que coincidiu: a semelhança do domínio com sua marca, imagens copiadas, seu logotipo ou um formulário de login. Abra **Evidências** para ver as capturas e o código da página no momento da detecção."), "published"),
    ("Allure Detect", ["detections", "troubleshooting"],
     ("Mark a detection as a false positive", "Choose **Dismiss › False positive** and say why; the reason trains the detection rules for your brand. Partner and reseller domains can be added to **Allow list** so they are not detected again."),
     ("Marcar uma detecção como falso positivo", "Escolha **Descartar › Falso positivo** e diga o motivo; ele ajusta as regras de detecção da sua marca. Domínios de parceiros e revendas podem entrar na **Lista de permissão** para não serem detectados de novo."), "published"),
    ("Allure Detect", ["takedowns", "troubleshooting"],
     ("Takedown stays pending with the registrar", "Some registrars answer only to a complaint from the brand owner. When a takedown waits more than five days, Allure asks you for a signed authorization letter under **Takedowns › Documents**."),
     ("Derrubada fica pendente no registrador", "Alguns registradores só respondem a uma reclamação do dono da marca. Quando uma derrubada espera mais de cinco dias, a Allure pede uma carta de autorização assinada em **Derrubadas › Documentos**."), "published"),
    ("Allure Detect", ["brands"],
     ("Add a new brand or logo to monitoring", "Under **Brands**, add the brand's names, official domains and logos in PNG. Monitoring starts within an hour; the first day can bring older look-alikes found in the history."),
     ("Incluir uma nova marca ou logotipo no monitoramento", "Em **Marcas**, informe os nomes, os domínios oficiais e os logotipos em PNG. O monitoramento começa em até uma hora; o primeiro dia pode trazer sites antigos encontrados no histórico."), "published"),
    ("Allure Detect", ["integrations"],
     ("Send detections to your SIEM", "Create a webhook under **Settings › Integrations** with your SIEM's URL; each detection is posted as JSON with its evidence links. Use **Send test** to check the SIEM parses it."),
     ("Enviar detecções ao seu SIEM", "Crie um webhook em **Configurações › Integrações** com a URL do SIEM; cada detecção é enviada em JSON com os links das evidências. Use **Enviar teste** para confirmar que o SIEM a interpreta."), "published"),
    ("Allure Detect", ["users"],
     ("Give the SOC analysts their own logins", "Invite each analyst under **Settings › Users** with the *Analyst* role: they can review detections and request takedowns, but not change brands or integrations. Single sign-on users are created at their first login."),
     ("Dar aos analistas do SOC seus próprios logins", "Convide cada analista em **Configurações › Usuários** com o papel *Analista*: eles revisam detecções e pedem derrubadas, mas não mudam marcas nem integrações. Usuários de login único são criados no primeiro acesso."), "published"),
    ("Allure Detect", ["reports"],
     ("Monthly brand protection report", "The report counts detections, takedowns and the median time to take a site down, per brand. Schedule it under **Reports › Monthly** and choose who receives the PDF."),
     ("Relatório mensal de proteção de marca", "O relatório conta detecções, derrubadas e o tempo mediano para tirar um site do ar, por marca. Agende-o em **Relatórios › Mensal** e escolha quem recebe o PDF."), "published"),
    ("Allure Detect", ["internal"],
     ("Escalation: takedown refused by a hosting provider", "Internal: collect the provider's answer, check the evidence is complete and escalate to the legal desk with the brand's authorization letter."),
     ("Escalonamento: derrubada recusada pelo provedor", "Interno: junte a resposta do provedor, confira se as evidências estão completas e escale para o jurídico com a carta de autorização da marca."), "internal"),
    # &money
    (ANDMONEY, ["install"],
     ("Connect &money to your Salesforce org", "Install the package from the AppExchange link in your welcome email, assign the **&money Admin** permission set and open **&money Setup › Connect**. The connection uses OAuth; no password is stored."),
     ("Conectar o &money à sua org do Salesforce", "Instale o pacote pelo link do AppExchange no e-mail de boas-vindas, atribua o conjunto de permissões **&money Admin** e abra **&money Setup › Conectar**. A conexão usa OAuth; nenhuma senha é guardada."), "published"),
    (ANDMONEY, ["sync", "troubleshooting"],
     ("Entra users are not mapped to Salesforce users", "Mapping matches the Entra user principal name to the Salesforce username. If they differ, add a mapping rule on the e-mail attribute under **Mappings › Rules** and run **Map now**."),
     ("Usuários do Entra não são mapeados para usuários do Salesforce", "O mapeamento compara o nome principal do usuário no Entra com o nome de usuário no Salesforce. Se forem diferentes, crie uma regra pelo atributo de e-mail em **Mapeamentos › Regras** e rode **Mapear agora**."), "published"),
    (ANDMONEY, ["sync"],
     ("How often user data is synchronized", "Changes in Entra reach Salesforce within 15 minutes; a full synchronization runs every night at 02:00 in the org's time zone. **Sync now** starts one at once."),
     ("Com que frequência os dados dos usuários são sincronizados", "As mudanças no Entra chegam ao Salesforce em até 15 minutos; uma sincronização completa roda todas as noites às 02:00 no fuso da org. **Sincronizar agora** inicia uma na hora."), "published"),
    (ANDMONEY, ["troubleshooting"],
     ("Synchronization stops with API limit exceeded", "Salesforce limits API calls per 24 hours. Lower **Batch frequency** in **&money Setup**, or ask Salesforce for a higher limit; &money resumes by itself when the limit resets."),
     ("Sincronização para com limite de API excedido", "O Salesforce limita as chamadas de API em 24 horas. Reduza a **Frequência dos lotes** em **&money Setup** ou peça ao Salesforce um limite maior; o &money retoma sozinho quando o limite é renovado."), "published"),
    (ANDMONEY, ["self-service"],
     ("Let users update their own profile data", "Turn on **Self Service › Profile** and choose which fields users may change. Changes are written back to Entra after the approval rule you set, or at once when none is set."),
     ("Permitir que os usuários atualizem os próprios dados", "Ative **Self Service › Perfil** e escolha quais campos os usuários podem mudar. As mudanças voltam ao Entra após a regra de aprovação definida, ou na hora quando não há regra."), "published"),
    (ANDMONEY, ["self-service", "troubleshooting"],
     ("Self-service changes wait for approval forever", "A change waits for the approvers of the user's department. When a department has none, set a default approver under **Self Service › Approvals**; waiting changes are then sent to them."),
     ("Mudanças de autoatendimento aguardam aprovação para sempre", "Uma mudança espera os aprovadores do departamento do usuário. Quando o departamento não tem nenhum, defina um aprovador padrão em **Self Service › Aprovações**; as mudanças pendentes passam a ele."), "published"),
    (ANDMONEY, ["security"],
     ("Which Entra permissions &money needs", "&money reads users and groups with *User.Read.All* and *Group.Read.All*, and writes profile fields with *User.ReadWrite.All* only when self-service write-back is on. Grant admin consent once in the Entra portal."),
     ("Quais permissões do Entra o &money precisa", "O &money lê usuários e grupos com *User.Read.All* e *Group.Read.All*, e grava campos de perfil com *User.ReadWrite.All* só quando a gravação do autoatendimento está ligada. Dê o consentimento de administrador uma vez no portal do Entra."), "published"),
    (ANDMONEY, ["sync"],
     ("Map a custom Entra attribute to a Salesforce field", "Under **Mappings › Fields**, choose the Entra extension attribute and the Salesforce field of the same type. The next synchronization fills the field for every mapped user."),
     ("Mapear um atributo personalizado do Entra para um campo do Salesforce", "Em **Mapeamentos › Campos**, escolha o atributo de extensão do Entra e o campo do Salesforce do mesmo tipo. A próxima sincronização preenche o campo de todos os usuários mapeados."), "published"),
    (ANDMONEY, ["troubleshooting"],
     ("Deactivated Entra users are still active in Salesforce", "&money freezes, and does not deactivate, Salesforce users whose Entra account is disabled, so their records keep their owner. Turn on **Deactivate after 30 days** in **&money Setup** to deactivate them later."),
     ("Usuários desativados no Entra continuam ativos no Salesforce", "O &money congela, e não desativa, os usuários do Salesforce cuja conta no Entra foi desabilitada, para que os registros mantenham o dono. Ative **Desativar após 30 dias** em **&money Setup** para desativá-los depois."), "published"),
    (ANDMONEY, ["internal"],
     ("Escalation: mapping job stuck in Salesforce", "Internal: ask for the Apex job id from **Setup › Apex Jobs**; abort it, clear the lock record and escalate to engineering if it recurs."),
     ("Escalonamento: job de mapeamento travado no Salesforce", "Interno: peça o id do job Apex em **Setup › Apex Jobs**; aborte-o, apague o registro de bloqueio e escale para a engenharia se voltar a ocorrer."), "internal"),
    ("", ["support"],
     ("How to write a ticket we can solve fast", "Describe one problem per ticket, the steps that reproduce it, the result you expected and the one you got, the software version and when it started. Attach logs and screenshots."),
     ("Como escrever um chamado que resolvemos rápido", "Descreva um problema por chamado, os passos que o reproduzem, o resultado esperado e o obtido, a versão do software e quando começou. Anexe logs e capturas de tela."), "published"),
]  # fmt: skip


STATUS_TEXT = {
    "supported": ("supported", "suportada"),
    "unsupported": ("no longer supported", "sem suporte"),
    "discontinued": ("discontinued", "descontinuada"),
    "beta": ("a beta / field test version, covered by a separate policy",
             "uma versão beta / de teste de campo, coberta por uma política à parte"),
}  # fmt: skip


def version_articles(today):
    """Two articles a version from the catalogue: what is new in it (for everyone on the
    product) and, for versions one may still move to, the upgrade checklist, which applies to
    the versions before it (``<N``)."""
    from pacto.catalog.models import Version

    rows = []
    seen = set()
    for version in Version.objects.select_related("module__product").order_by("released_on"):
        product = version.module.product.name
        if (product, version.number) in seen:
            continue  # the same number on two modules: one article
        seen.add((product, version.number))
        status = version.status_on(today)
        en_status, pt_status = STATUS_TEXT.get(status, (status, status))
        released = version.released_on.isoformat() if version.released_on else "—"
        until = version.end_of_support_on.isoformat() if version.end_of_support_on else ""
        name = f"{product} {version.number}"
        rows.append((
            [product], ["releases"],
            (f"What's new in {name}", f"{name} was released on {released} and is {en_status}"
             + (f" until {until}" if until and status == "supported" else "") + ".\n\n"
             "- The release notes in the Help Center list every change and fix.\n"
             "- Check the compatibility matrix for your integrations before you upgrade.\n"
             "- **Settings › About** shows the version you run."),
            (f"Novidades da versão {name}", f"A versão {name} foi lançada em {released} e está "
             f"{pt_status}" + (f" até {until}" if until and status == "supported" else "")
             + ".\n\n- As notas de versão na Central de Ajuda listam cada mudança e correção.\n"
             "- Confira a matriz de compatibilidade das suas integrações antes de atualizar.\n"
             "- **Configurações › Sobre** mostra a versão que vocês usam."),
            "published",
        ))  # fmt: skip
        if status in ("supported", "beta"):
            warning_en = " Beta versions do not belong in production." if status == "beta" else ""
            warning_pt = " Versões beta não devem ir para produção." if status == "beta" else ""
            rows.append((
                [f"{product} @ <{version.number}"], ["upgrades"],
                (f"Upgrade to {name}: checklist", f"Before you upgrade to {name}:{warning_en}\n\n"
                 "1. Take a backup and keep its key apart.\n2. Check there is 20% free disk.\n"
                 "3. Read the known issues of the version.\n4. Schedule a maintenance window "
                 "and tell your users.\n\nAfter the upgrade, check **Settings › About** and "
                 "run a test login."),
                (f"Atualizar para {name}: lista de verificação",
                 f"Antes de atualizar para {name}:{warning_pt}\n\n1. Faça um backup e guarde a "
                 "chave separada.\n2. Confira se há 20% de disco livre.\n3. Leia os problemas "
                 "conhecidos da versão.\n4. Agende uma janela de manutenção e avise os "
                 "usuários.\n\nDepois, confira **Configurações › Sobre** e faça um login de "
                 "teste."),
                "published",
            ))  # fmt: skip
    return rows


def _cover_contracts_without_products(demo) -> None:
    """Lumen Seguros' and Casa Andina's contracts name no product: their inventory gets
    their vendor's catalogue product, so the articles for it reach them."""
    from pacto.catalog.models import Product
    from pacto.contracts.actions import do_add_inventory

    for key, product_name, number in (
        ("lumen", "Allure Detect", "2025.06"),
        ("andina", "&money for Salesforce", "2.2"),
    ):
        organization = demo.orgs.get(key)
        product = Product.objects.filter(name=product_name).first()
        if organization is None or product is None:
            continue
        module = product.modules.get(main=True)
        for contract in organization.contracts.all():
            if not contract.products.exists():
                do_add_inventory(
                    demo.people["marina"], contract, module=module, quantity=1,
                    installed_version=module.versions.filter(number=number).first(),
                    now=demo.ago(days=30),
                )  # fmt: skip


def load(demo) -> None:
    _cover_contracts_without_products(demo)
    authors = [demo.people[k] for k in ("felipe", "sara", "marina") if k in demo.people]
    articles = []
    rows = ARTICLES + version_articles(demo.now.date())
    for i, (product, categories, english, portuguese, status) in enumerate(rows):
        owner = authors[i % len(authors)]
        products = product if isinstance(product, list) else [product] if product else []
        original = do_create_article(
            owner, title=english[0], body_markdown=english[1], locale="en", status=status,
            products=products, categories=categories, now=demo.ago(days=120 - i // 2),
        )  # fmt: skip
        do_create_article(
            owner, title=portuguese[0], body_markdown=portuguese[1], locale="pt-br",
            status=status, products=products, categories=categories, translation_of=original,
            slug=original.slug, now=demo.ago(days=120 - i // 2, hours=-1),
        )  # fmt: skip
        articles.append(original)
    rafael, helena = demo.people.get("rafael"), demo.people.get("helena")
    if rafael is not None:
        do_vote(rafael, articles[0], helpful=True, now=demo.ago(days=3))
        do_vote(rafael, articles[2], helpful=False, reason="outdated",
                comment="The option is called 'Nested groups' in 3.31.", now=demo.ago(days=2))  # fmt: skip
        do_deflect(rafael, articles[1], query="password rotation failed", now=demo.ago(days=1))
    if helena is not None:
        do_vote(helena, articles[8], helpful=True, now=demo.ago(days=4))
